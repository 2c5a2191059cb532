"""Shared helpers for the test tiers: real services, required under CI=true."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get(
    "RIVERKEEPER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(what: str) -> None:
    """Skip locally, fail under CI=true: CI must run every tier."""
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available", pytrace=False)
    pytest.skip(f"{what} not available")


def require_binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(f"the {name!r} binary")
    assert path is not None
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05, what: str = "condition"):  # type: ignore[no-untyped-def]
    """Poll until predicate() is truthy; return its value or fail with `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}", pytrace=False)
        time.sleep(interval)


@contextmanager
def running_dashboard(config: Path, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """`riverkeeper --config CONFIG dashboard` on a free port (output in
    CONFIG/dashboard.log); yields its URL once /_stcore/health answers ok, stops it after."""
    import httpx

    port = free_port()
    log_path = config / "dashboard.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), "dashboard"]
            + ["--port", str(port)],
            env=dict(env) if env is not None else None,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=config,
        )
        url = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            if proc.poll() is not None:
                pytest.fail(log_path.read_text(), pytrace=False)
            try:
                return httpx.get(f"{url}/_stcore/health", timeout=1).text == "ok"
            except httpx.HTTPError:
                return False

        try:
            wait_until(healthy, timeout=60, interval=0.2, what="the dashboard's health endpoint")
            yield url
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def _pg_admin_engine() -> sa.Engine:
    return sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)


def postgres_available() -> bool:
    try:
        with _pg_admin_engine().connect() as conn:
            conn.execute(sa.text("select 1"))
        return True
    except sa.exc.DBAPIError:
        return False


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards.

    Parallel test runs (several checkouts on one machine) never share tables.
    """
    if not postgres_available():
        unavailable(f"PostgreSQL at {PG_ADMIN_URL}")
    name = f"rk_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(PG_ADMIN_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
