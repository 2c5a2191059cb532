"""`riverkeeper demo` never serves one project's data to another on the same port."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import free_port

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[3]


def demo(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", "demo", "--days", "1", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


def test_a_second_project_is_told_the_port_is_taken(tmp_path: Path) -> None:
    env = {**os.environ, "RIVERKEEPER_DEMO_API_URL": f"http://127.0.0.1:{free_port()}"}
    first, second = tmp_path / "a", tmp_path / "b"
    for root in (first, second):
        shutil.copytree(REPO / "config", root / "config")
    try:
        started = demo(first, env)
        assert started.returncode == 0, started.stderr
        again = demo(first, env)  # the same project: the running API is reused
        assert again.returncode == 0, again.stderr
        other = demo(second, env)
        assert other.returncode == 2
        assert "is a demo API of another project (it serves " in other.stderr
        assert str(first.resolve()) in other.stderr and "Traceback" not in other.stderr
    finally:
        demo(first, env, "--stop-api")
