"""Running the example project through the real CLI in a scratch folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[3]
RIVERKEEPER = str(Path(sys.executable).with_name("riverkeeper"))
NOW = "2024-03-05T13:20:00+00:00"
DAY = "2024-03-04T00:00:00+00:00"


def cli(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RIVERKEEPER, *args],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


@contextmanager
def example(tmp_path: Path, port: int, extra_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """A copy of config/ in tmp_path, its env, and the demo API stopped afterwards."""
    shutil.copytree(REPO / "config", tmp_path / "config")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIVERKEEPER_")}
    env.update(RIVERKEEPER_DEMO_API_URL=f"http://127.0.0.1:{port}", **extra_env)
    try:
        yield env
    finally:
        cli(tmp_path, env, "demo", "--stop-api")


def run_all(cwd: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    done = cli(cwd, env, "run", "--all", "--logical-date", DAY, "--json")
    assert done.returncode == 0, done.stderr + done.stdout
    runs: list[dict[str, Any]] = json.loads(done.stdout)
    return runs


def counts(url: str, tables: list[str]) -> dict[str, int]:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return {
                t: int(
                    conn.execute(sa.select(sa.func.count()).select_from(sa.table(t))).scalar_one()
                )
                for t in tables
            }
    finally:
        engine.dispose()
