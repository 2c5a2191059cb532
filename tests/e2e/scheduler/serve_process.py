"""Real `riverkeeper serve` / `run` processes for the fault tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[3]
FAST = [
    "--tick", "0.2",
    "--heartbeat", "0.5",
    "--run-lease-timeout", "3",
    "--lease-ttl", "2",
    "--misfire-grace", "0",
    "--no-watch",
    "--no-metrics",
    "--shutdown-timeout", "5",
]  # fmt: skip


def env_for(store_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENLINEAGE", "RK_TEST"))}
    env.update(
        RIVERKEEPER_STORE_URL=store_url,
        PYTHONPATH=str(REPO),
        OPENLINEAGE_DISABLED="true",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


STARTED: list[Serve] = []


def reap() -> None:
    """Stop what a test left running and print the tail of every log (shown on failure)."""
    while STARTED:
        serve = STARTED.pop()
        if serve.proc.poll() is None:
            serve.proc.kill()
            serve.proc.wait(10)
        serve.handle.close()
        lines = [line for line in serve.output().splitlines() if not line.startswith("{")]
        print(f"--- {serve.log.name} (pid {serve.pid}, exit {serve.proc.returncode})")
        print("\n".join(lines[-25:]))


class Serve:
    """One `riverkeeper serve` process; its output goes to a log file."""

    def __init__(self, root: Path, store_url: str, name: str = "serve", *args: str, **env: str):
        STARTED.append(self)
        self.log = root / f"{name}.log"
        self.handle = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "monitor",
                "--config",
                str(root / "config"),
                "serve",
                *FAST,
                *args,
            ],
            cwd=root,
            env=env_for(store_url, **env),
            stdout=self.handle,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self, timeout: float = 20) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def run_cli(root: Path, store_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(root / "config"), *args],
        check=False,
        cwd=root,
        env=env_for(store_url, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def rows(engine: sa.Engine, sql: str, **params: Any) -> list[sa.Row[Any]]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(sql), params))


class RefusingProxy:
    """A TCP proxy to PostgreSQL that drops the first `refuse` connections at once
    (a source that is down), then forwards (the source is back)."""

    def __init__(self, target: tuple[str, int], refuse: int) -> None:
        self.target, self.refuse, self.accepted = target, refuse, 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            self.accepted += 1
            if self.accepted <= self.refuse:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

    def close(self) -> None:
        self.server.close()


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
