"""Benchmark: pipeline duration with a dead lineage backend vs a live one.

    .venv/bin/python bench/bench_lineage.py [--repeat 5] [--days 2]

Runs every pipeline of the example project (`config/`, sources from the demo
generator, customers API on a free port) with `monitor.service.run_pipelines`,
i.e. exactly as `riverkeeper run --all` does: the outbox listener, the
background sender, and a bounded drain before returning. The transport comes
from the standard OpenLineage variables, three ways, interleaved:

* live: OPENLINEAGE__TRANSPORT__TYPE=http to a local server answering 201 like Marquez;
* dead: the same to a port where nothing listens (connection refused; the
  sender thread runs openlineage-python's default urllib3 retries);
* noop: OPENLINEAGE_DISABLED=true (events still stored, never sent).

Each repetition gets a fresh store and warehouse, so every run does the same
work; the order of the modes is shuffled per repetition. Measured: the pipelines' own durations (started_at..ended_at of the run
records, summed over the pipelines) and the wall time of `run_pipelines`,
which includes the bounded drain, and the time the runner's threads spent
inside the lineage listener's calls (the only place a backend could slow a run).
Prints a Markdown table; on a shared, loaded machine compare the best times
and the mean of the fastest half (least disturbed); the medians show the noise.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import shutil
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DRAIN = 10.0  # run_pipelines' bounded drain before a CLI run exits (its default)

from monitor.demo import demo_paths, setup_demo, stop_api
from monitor.lineage.outbox import OutboxListener, backlog
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


MODES = {
    "live": "live (HTTP 201)",
    "dead": "dead (refused)",
    "noop": "noop (OPENLINEAGE_DISABLED)",
}


LISTENER_SECONDS = [0.0]  # time the runner's threads spent inside lineage listener calls


def _timed(method: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(method)
    def wrapper(*args: object) -> None:
        started = time.perf_counter()
        try:
            method(*args)
        finally:
            LISTENER_SECONDS[0] += time.perf_counter() - started

    return wrapper


for _name in ("run_started", "task_started", "task_finished", "run_finished"):
    setattr(OutboxListener, _name, _timed(getattr(OutboxListener, _name)))


def one_run(root: Path, mode: str, urls: dict[str, str], n: int) -> tuple[float, float, float, int]:
    """(pipeline s from the run records, wall s of run_pipelines, listener s, outbox left)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENLINEAGE")}
    env["RIVERKEEPER_STORE_URL"] = f"sqlite:///{root / f'store-{mode}-{n}.db'}"
    env["RIVERKEEPER_WAREHOUSE_URL"] = f"duckdb:///{root / f'warehouse-{mode}-{n}.duckdb'}"
    if mode == "noop":
        env["OPENLINEAGE_DISABLED"] = "true"
    else:  # the standard config, as a user sets it
        env["OPENLINEAGE__TRANSPORT__TYPE"] = "http"
        env["OPENLINEAGE__TRANSPORT__URL"] = urls[mode]
    os.environ.clear()
    os.environ.update(env)
    project = open_project(root / "config", env)
    LISTENER_SECONDS[0] = 0.0
    started = time.perf_counter()
    results = run_pipelines(
        project,
        list(project.pipelines),
        logical_date=datetime(2026, 11, 24, tzinfo=UTC),
        lineage_drain_seconds=DRAIN,
    )
    wall = time.perf_counter() - started
    if not all(r.ok for r in results):
        raise SystemExit(f"a pipeline failed in mode {mode}: {results}")
    store = open_store(project)
    try:
        seconds = 0.0
        for r in results:
            view = store.get_run(r.run_id)
            assert view is not None and view.run.started_at and view.run.ended_at
            seconds += (view.run.ended_at - view.run.started_at).total_seconds()
        return seconds, wall, LISTENER_SECONDS[0], backlog(store.engine).pending
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
    urls = {
        "live": f"http://127.0.0.1:{server.server_address[1]}",
        "dead": f"http://127.0.0.1:{free_port()}",
    }
    project = open_project(root / "config", dict(os.environ))
    demo = setup_demo(project, datetime(2026, 11, 25, 12, tzinfo=UTC), days=args.days)
    times: dict[str, list[float]] = {m: [] for m in MODES}
    walls: dict[str, list[float]] = {m: [] for m in MODES}
    listener: dict[str, list[float]] = {m: [] for m in MODES}
    left: dict[str, int] = {}
    try:
        one_run(root, "noop", urls, -1)  # warm-up: imports, caches
        for n in range(args.repeat):
            order = list(MODES)
            random.Random(n).shuffle(order)  # no mode always runs first or last
            for mode in order:
                seconds, wall, inside, pending = one_run(root, mode, urls, n)
                times[mode].append(seconds)
                walls[mode].append(wall)
                listener[mode].append(inside)
                left[mode] = pending
    finally:
        stop_api(demo_paths(project))
        server.shutdown()
        shutil.rmtree(root, ignore_errors=True)

    median = {m: statistics.median(t) for m, t in times.items()}
    print(
        f"example project, {len(project.pipelines)} pipelines, {demo.orders} orders, "
        f"{args.repeat} runs per mode (interleaved), CLI drain bound {DRAIN:g}s; events "
        f"received by the live backend: {_Accept.received}; left in the outbox after a "
        f"dead run: {left['dead']}, after a live run: {left['live']}\n"
    )
    best = {m: min(t) for m, t in times.items()}
    half = {m: statistics.mean(sorted(t)[: max(1, len(t) // 2)]) for m, t in times.items()}
    print(
        "| lineage backend | pipelines, best (s) | vs live | fastest half, mean (s) | vs live "
        "| median (s) | vs live | in listener calls, median (ms) | wall incl. drain, median (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")

    def vs(value: dict[str, float], mode: str) -> str:
        return f"{(value[mode] / value['live'] - 1) * 100:+.1f}%"

    for mode, label in MODES.items():
        print(
            f"| {label} | {best[mode]:.3f} | {vs(best, mode)} | {half[mode]:.3f} "
            f"| {vs(half, mode)} | {median[mode]:.3f} | {vs(median, mode)} "
            f"| {statistics.median(listener[mode]) * 1000:.1f} "
            f"| {statistics.median(walls[mode]):.3f} |"
        )


if __name__ == "__main__":
    main()
