"""`riverkeeper demo`: generate the example project's sources where its config points,
and make sure the customers API answers.

The API runs as a small detached process (pid in <demo dir>/api.pid), so
`riverkeeper run` and `riverkeeper serve` find it without a manual step;
`riverkeeper demo --stop-api` stops it; `--serve-api` serves in the foreground.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import sqlalchemy as sa

from monitor.demo.database import write_orders
from monitor.demo.generate import generate, write_files
from monitor.errors import ConnectionFailedError, UsageError

if TYPE_CHECKING:
    from monitor.config.loader import Project
    from monitor.config.project import HttpConnection


@dataclass(frozen=True)
class DemoSetup:
    orders: int
    customers: int
    events: int
    partitions: int
    start: datetime
    end: datetime
    production: str
    files: Path
    api: str
    api_started: bool


@dataclass(frozen=True)
class DemoPaths:
    production_url: str
    files: Path
    api: HttpConnection

    @property
    def customers(self) -> Path:
        return self.files / "customers.json"

    @property
    def pidfile(self) -> Path:
        return self.files.parent / "api.pid"

    @property
    def token(self) -> str | None:
        header = self.api.headers.get("Authorization")
        value = header.get_secret_value() if header is not None else ""
        return value.removeprefix("Bearer ").strip() or None


def demo_paths(project: Project) -> DemoPaths:
    conns = project.connections
    wanted = {"production": "sql", "files": "files", "customers_api": "http"}
    for name, kind in wanted.items():
        if name not in conns or conns[name].type != kind:
            raise UsageError(
                f"the demo needs a {kind} connection {name!r} in riverkeeper.yaml "
                "(see config/riverkeeper.yaml of the example project)"
            )
    production, files, api = conns["production"], conns["files"], conns["customers_api"]
    assert production.type == "sql" and files.type == "files" and api.type == "http"
    return DemoPaths(production.url.get_secret_value(), files.root.resolve(), api)


@dataclass(frozen=True)
class LiveFeed:
    """Keep adding data as time passes (in the API process), from `since` on."""

    since: datetime
    every: float = 60.0
    seed: int = 42
    days: int = 3


def setup_demo(
    project: Project,
    now: datetime,
    *,
    seed: int = 42,
    days: int = 3,
    start: bool = True,
    live_every: float = 0.0,
) -> DemoSetup:
    paths = demo_paths(project)
    data = generate(now, seed=seed, days=days)
    counts = write_files(data, paths.files)
    try:
        orders = write_orders(paths.production_url, data.orders)
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        reason = " ".join(str(getattr(exc, "orig", exc)).split())
        url = project.connections["production"]
        raise ConnectionFailedError("production", url.safe_url, reason) from exc  # type: ignore[union-attr]
    live = LiveFeed(now, live_every, seed, days) if live_every > 0 else None
    started = ensure_api(paths, live=live) if start else False
    return DemoSetup(
        orders=orders,
        customers=len(data.customers),
        events=counts["events"],
        partitions=counts["partitions"],
        start=data.start,
        end=data.end,
        production=project.connections["production"].safe_url,  # type: ignore[union-attr]
        files=paths.files,
        api=paths.api.safe_url,
        api_started=started,
    )


def api_alive(base_url: str, attempts: int = 1) -> bool:
    import httpx

    for _ in range(attempts):
        try:
            return httpx.get(f"{base_url.rstrip('/')}/health", timeout=3.0).status_code == 200
        except httpx.ConnectError:
            return False
        except httpx.HTTPError:  # slow (a busy machine): ask again
            continue
    return False


def _served_file(base_url: str) -> str | None:
    """The customers file a running demo API serves (None if it does not say)."""
    import httpx

    try:
        data = httpx.get(f"{base_url.rstrip('/')}/health", timeout=3.0).json().get("data")
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    return str(data) if data else None


def ensure_api(paths: DemoPaths, timeout: float = 10.0, *, live: LiveFeed | None = None) -> bool:
    """Start the API process unless it answers already; True when started now.

    With `live`, the process also appends new demo data every `live.every` seconds
    (the orders database URL goes to it through its environment, not its argv)."""
    base = paths.api.base_url
    if api_alive(base, attempts=3):
        serving = _served_file(base)
        if serving is not None and serving != str(paths.customers.resolve()):
            raise UsageError(
                f"{paths.api.safe_url} is a demo API of another project (it serves {serving}); "
                "stop it there with `riverkeeper demo --stop-api`, or point "
                "RIVERKEEPER_DEMO_API_URL at another port"
            )
        return False
    parts = urlsplit(base)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        raise UsageError(f"the demo API runs on 127.0.0.1, not {paths.api.safe_url}")
    command = [sys.executable, "-m", "monitor.demo.api", "--data", str(paths.customers)]
    command += ["--host", "127.0.0.1", "--port", str(parts.port or 80)]
    if paths.token:
        command += ["--token", paths.token]
    env = dict(os.environ)
    if live is not None:
        command += ["--feed-every", str(live.every), "--feed-since", live.since.isoformat()]
        command += ["--seed", str(live.seed), "--days", str(live.days)]
        env["RIVERKEEPER_DEMO_FEED_URL"] = paths.production_url
    log = (paths.files.parent / "api.log").open("ab")
    process = subprocess.Popen(
        command, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True, env=env
    )
    paths.pidfile.write_text(str(process.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:  # it exited: the port is taken (by an API already up?)
            paths.pidfile.unlink(missing_ok=True)
            if api_alive(base, attempts=3):
                return False
            break
        if api_alive(base):
            return True
        time.sleep(0.1)
    raise ConnectionFailedError(
        "customers_api", paths.api.safe_url, f"the demo API did not start (see {log.name})"
    )


def stop_api(paths: DemoPaths) -> bool:
    """Stop the API process this demo started (by its pid file); True when one was stopped."""
    if not paths.pidfile.is_file():
        return False
    pid = int(paths.pidfile.read_text().strip() or 0)
    paths.pidfile.unlink()
    if pid <= 0:
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    return True
