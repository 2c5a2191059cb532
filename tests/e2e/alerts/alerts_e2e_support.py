"""Helpers of the alerts end-to-end tests: real processes and `riverkeeper serve`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.support import free_port, wait_until


@contextmanager
def process(args: list[str], log: Path, **kwargs: Any) -> Iterator[subprocess.Popen[str]]:
    with log.open("w") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, text=True, **kwargs)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@contextmanager
def served_metrics(
    root: Path, store_url: str, log: Path, alerts_yaml: str | None = None
) -> Iterator[str]:
    """`riverkeeper serve` on an empty project over the test's store; yields its host:port."""
    config = root / "config"
    config.mkdir()
    (config / "riverkeeper.yaml").write_text("project: e2e-alerts\n")
    if alerts_yaml is not None:
        (config / "alerts.yaml").write_text(alerts_yaml)
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "monitor",
        "--config",
        str(config),
        "serve",
        "--metrics-port",
        str(port),
        "--no-watch",
    ]
    env = {**os.environ, "RIVERKEEPER_STORE_URL": store_url}
    with process(args, log, cwd=root, env=env) as proc:
        url = f"http://127.0.0.1:{port}/metrics"
        wait_until(lambda: proc.poll() is not None or ready(url), 60, 0.1, "riverkeeper serve")
        assert proc.poll() is None, log.read_text()
        yield f"127.0.0.1:{port}"


def ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
