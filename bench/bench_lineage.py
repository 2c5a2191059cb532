"""Benchmark: pipeline duration with a dead lineage backend vs a live one.

    .venv/bin/python bench/bench_lineage.py [--repeat 5] [--days 2]

Runs every pipeline of the example project (`config/`, sources from the demo
generator, customers API on a free port) through the real runner, with the
lineage listener and a started background sender, three ways, interleaved:

* live: HTTP transport to a local server answering 201 like Marquez;
* dead: HTTP transport to a port where nothing listens (connection refused,
  with openlineage-python's default urllib3 retries in the sender thread);
* none: no lineage at all (the floor).

Each repetition gets a fresh store and warehouse, so every run does the same
work. The time measured is `run_pipelines` (what a user waits for); the outbox
is not drained. Prints a Markdown table: median and best per mode, and the
dead/live ratio of the medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from monitor.demo import demo_paths, setup_demo, stop_api
from monitor.lineage.outbox import backlog
from monitor.lineage.transport import transport_from_dict
from monitor.lineage.wiring import open_lineage
from monitor.service import open_project, open_store, run_pipelines


class _Accept(BaseHTTPRequestHandler):
    received = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _Accept.received += 1
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def one_run(root: Path, mode: str, live_url: str, dead_url: str, n: int) -> tuple[float, int]:
    env = dict(os.environ)
    env["RIVERKEEPER_STORE_URL"] = f"sqlite:///{root / f'store-{mode}-{n}.db'}"
    env["RIVERKEEPER_WAREHOUSE_URL"] = f"duckdb:///{root / f'warehouse-{mode}-{n}.duckdb'}"
    project = open_project(root / "config", env)
    store = open_store(project)
    lineage = None
    try:
        listeners = []
        if mode != "none":
            url = live_url if mode == "live" else dead_url
            transport = transport_from_dict({"type": "http", "url": url, "timeout": 5})
            lineage = open_lineage(store.engine, project.spec, transport=transport)
            listeners.append(lineage.listener)
        started = time.perf_counter()
        results = run_pipelines(
            project,
            list(project.pipelines),
            logical_date=datetime(2026, 11, 24, tzinfo=UTC),
            listeners=listeners,
        )
        elapsed = time.perf_counter() - started
        if not all(r.ok for r in results):
            raise SystemExit(f"a pipeline failed in mode {mode}: {results}")
        if lineage is not None:
            lineage.sender.stop(timeout=0.5)
        return elapsed, backlog(store.engine).pending
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--days", type=int, default=2)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="rk-bench-lineage-"))
    shutil.copytree(REPO / "config", root / "config")
    os.chdir(root)
    os.environ["RIVERKEEPER_DEMO_API_URL"] = f"http://127.0.0.1:{free_port()}"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Accept)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    live_url = f"http://127.0.0.1:{server.server_address[1]}"
    dead_url = f"http://127.0.0.1:{free_port()}"
    project = open_project(root / "config", dict(os.environ))
    demo = setup_demo(project, datetime(2026, 11, 25, 12, tzinfo=UTC), days=args.days)
    times: dict[str, list[float]] = {"live": [], "dead": [], "none": []}
    left: dict[str, int] = {}
    try:
        one_run(root, "none", live_url, dead_url, -1)  # warm-up: imports, caches
        for n in range(args.repeat):
            for mode in ("live", "dead", "none"):
                elapsed, pending = one_run(root, mode, live_url, dead_url, n)
                times[mode].append(elapsed)
                left[mode] = pending
    finally:
        stop_api(demo_paths(project))
        server.shutdown()
        shutil.rmtree(root, ignore_errors=True)

    median = {m: statistics.median(t) for m, t in times.items()}
    print(
        f"example project, {len(project.pipelines)} pipelines, {demo.orders} orders, "
        f"{args.repeat} runs per mode (interleaved); events received by the live backend: "
        f"{_Accept.received}; left in the outbox after the last dead run: {left['dead']}\n"
    )
    print("| lineage backend | median (s) | best (s) | vs live |")
    print("|---|---:|---:|---:|")
    for mode, label in (("live", "live (HTTP 201)"), ("dead", "dead (refused)"), ("none", "none")):
        ratio = median[mode] / median["live"] - 1
        print(f"| {label} | {median[mode]:.3f} | {min(times[mode]):.3f} | {ratio * 100:+.1f}% |")


if __name__ == "__main__":
    main()
