"""Benchmark: scheduler lag with many pipelines due at the same second.

    .venv/bin/python bench/bench_scheduler.py [--pipelines 200] [--minutes 3]
        [--store sqlite|postgres] [--workers 200]

Generates a project of N pipelines scheduled every minute (`cron: "* * * * *"`,
so all N are due at the same second), each a real extract (a 3-row CSV) and
load (its own SQLite file), starts `riverkeeper serve` on it as a separate
process for the given minutes, stops it with SIGTERM, and reads the lag of
every scheduled run from the store: `started_at - scheduled_for` (started_at is
when the scheduler claimed the run for a free worker), the same difference the
metrics collector exports, beside when the run was queued and when its first
task began. Prints a Markdown table (median,
p90, p99, max) and the number of runs.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get(
    "RIVERKEEPER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def write_project(root: Path, n: int, store_url: str) -> Path:
    config = root / "config"
    (config / "pipelines").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "data" / "items.csv").write_text("id,price\n1,1.5\n2,3.0\n3,4.5\n")
    connections: dict[str, object] = {"files": {"type": "files", "root": str(root / "data")}}
    for i in range(n):
        connections[f"wh{i}"] = {"type": "sql", "url": f"sqlite:///{root / f'wh{i}.sqlite'}"}
    project = {
        "project": "bench",
        "store": {"url": store_url},
        "connections": connections,
        "defaults": {"workspace": str(root / "workspace")},
    }
    (config / "riverkeeper.yaml").write_text(json.dumps(project))
    for i in range(n):
        spec = {
            "schedule": {"cron": "* * * * *"},
            "tasks": {
                "ex": {
                    "type": "extract",
                    "source": {"type": "csv", "connection": "files", "path": "items.csv"},
                },
                "load": {
                    "type": "load",
                    "input": "ex",
                    "target": {"type": "sql", "connection": f"wh{i}", "table": "items",
                               "mode": "replace"},
                },
            },
        }  # fmt: skip
        (config / "pipelines" / f"p{i:03d}.yaml").write_text(json.dumps(spec))
    return config


@contextmanager
def store_url(kind: str, root: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{root / 'store.db'}"
        return
    name = f"rk_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipelines", type=int, default=200)
    parser.add_argument("--minutes", type=int, default=3)
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rk-bench-sched-") as tmp:
        root = Path(tmp)
        with store_url(args.store, root) as url:
            config = write_project(root, args.pipelines, url)
            log = (root / "serve.log").open("wb")
            env = {**os.environ, "PYTHONPATH": str(REPO), "OPENLINEAGE_DISABLED": "true"}
            proc = subprocess.Popen(
                [sys.executable, "-m", "monitor", "--config", str(config), "serve",
                 "--workers", str(args.workers), "--no-metrics", "--no-watch"],
                cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            # run until `minutes` full minutes have fired after start-up
            started = datetime.now(UTC)
            deadline = time.time() + 60 * args.minutes + (60 - started.second) + 20
            while time.time() < deadline and proc.poll() is None:
                time.sleep(1)
            proc.send_signal(signal.SIGTERM)
            proc.wait(120)
            log.close()
            engine = sa.create_engine(url, poolclass=sa.NullPool)
            with engine.connect() as conn:
                rows = conn.execute(
                    sa.text(
                        "select r.scheduled_for, r.started_at, r.state, r.created_at, "
                        "(select min(a.started_at) from task_attempts a where a.run_id = r.id) "
                        "from pipeline_runs r "
                        "where r.trigger = 'schedule' and r.started_at is not null"
                    )
                ).all()
            engine.dispose()
            if not rows:
                print((root / "serve.log").read_text()[-3000:])
                raise SystemExit("no scheduled run started")

    def aware(t: object) -> datetime:
        value = datetime.fromisoformat(t) if isinstance(t, str) else t
        assert isinstance(value, datetime)
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    lags = [(aware(r[1]) - aware(r[0])).total_seconds() for r in rows]
    queued = [(aware(r[3]) - aware(r[0])).total_seconds() for r in rows]
    first = [(aware(r[4]) - aware(r[0])).total_seconds() for r in rows if r[4] is not None]
    fires = len({r[0] for r in rows})
    states: dict[str, int] = {}
    for r in rows:
        states[r[2]] = states.get(r[2], 0) + 1
    by_state = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
    print(
        f"{args.pipelines} pipelines every minute, {args.store} store, --workers "
        f"{args.workers}: {len(rows)} runs over {fires} fire times ({by_state}; "
        "aborted = still running when serve was stopped)\n"
    )
    print(
        "| seconds after the fire time | run queued (created_at) "
        "| run started: claimed by a free worker (started_at = lag) | first task started |"
    )
    print("|---|---:|---:|---:|")
    for label, pick in (
        ("median", statistics.median),
        ("p90", lambda v: percentile(v, 0.90)),
        ("p99", lambda v: percentile(v, 0.99)),
        ("max", max),
    ):
        print(f"| {label} | {pick(queued):.3f} | {pick(lags):.3f} | {pick(first):.3f} |")


if __name__ == "__main__":
    main()
