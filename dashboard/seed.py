"""A realistic store for the dashboard's tests and render benchmark.

Deterministic (one `random.Random(seed)`, `now` passed in): pipelines with
schedules, runs with tasks and attempts (retries and backoff delays), check
results with thresholds, anomaly bands and failing-row samples, dead letters,
OpenLineage events and alert state/history. Rows go in through each engine's
fast path (SQLite executemany in one transaction, PostgreSQL COPY).
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from dashboard.seed_rows import (
    CHECK_TYPES,
    REASONS,
    alerts,
    check_rows,
    chunks,
    insert_rows,
    lineage_rows,
    ts,
)
from monitor.store.tables import (
    CheckResult,
    DeadLetter,
    LineageEvent,
    Pipeline,
    PipelineRun,
    TaskAttempt,
    TaskRun,
)

# name, schedule, tasks (extract..load), datasets it reads, datasets it writes
PIPELINES: list[tuple[str, dict[str, Any] | None, list[str], list[str], list[str]]] = [
    ("orders_etl", {"every": "PT1H"}, ["extract", "clean", "load"], ["raw.orders"], ["wh.orders"]),
    (
        "customers_sync",
        {"cron": "*/30 * * * *"},
        ["extract", "dedupe", "load"],
        ["crm.customers"],
        ["wh.customers"],
    ),
    (
        "daily_sales_summary",
        {"cron": "0 2 * * *"},
        ["extract", "aggregate", "load"],
        ["wh.orders", "wh.customers"],
        ["wh.daily_sales_summary"],
    ),
    (
        "payments_ingest",
        {"every": "PT15M"},
        ["extract", "parse", "load"],
        ["api.payments"],
        ["wh.payments"],
    ),
    ("inventory_snapshot", None, ["extract", "load"], ["files.inventory"], ["wh.inventory"]),
]


@dataclass
class SeedSize:
    runs: int = 200
    check_results: int = 4_000
    dead_letters: int = 300
    alert_history: int = 200
    pipelines: int = 5  # copies of the five base pipelines beyond five get a numeric suffix
    datasets_per_pipeline: int = 2
    lineage_every_run: bool = False  # one COMPLETE event per run (else per pipeline)


@dataclass
class Seeded:
    pipelines: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    runs: int = 0
    check_results: int = 0
    failed_run_ids: list[str] = field(default_factory=list)
    retried_run_ids: list[str] = field(default_factory=list)


def _pipelines(n: int) -> list[tuple[str, dict[str, Any] | None, list[str], list[str], list[str]]]:
    out = []
    for i in range(n):
        name, sched, tasks, ins, outs = PIPELINES[i % len(PIPELINES)]
        suffix = "" if i < len(PIPELINES) else f"_{i // len(PIPELINES)}"
        out.append(
            (
                name + suffix,
                sched,
                tasks,
                [d + suffix for d in ins],
                [d + suffix for d in outs],
            )
        )
    return out


def _period(schedule: dict[str, Any] | None) -> timedelta:
    if schedule is None:
        return timedelta(hours=6)
    every = schedule.get("every")
    if every == "PT1H":
        return timedelta(hours=1)
    if every == "PT15M":
        return timedelta(minutes=15)
    cron = schedule.get("cron", "")
    return timedelta(minutes=30) if cron.startswith("*/30") else timedelta(days=1)


def seed_store(
    engine: sa.Engine, now: datetime, size: SeedSize | None = None, seed: int = 7
) -> Seeded:
    """Fill a migrated, empty store; returns what went in (for assertions)."""
    size = size or SeedSize()
    rnd = random.Random(seed)
    plist = _pipelines(size.pipelines)
    out = Seeded(pipelines=[p[0] for p in plist])
    runs_per = max(1, size.runs // len(plist))
    with engine.begin() as conn:

        def t(value: datetime | None) -> datetime | None:
            return ts(conn, value)

        insert_rows(
            conn,
            Pipeline.__table__,
            [
                {
                    "name": name,
                    "description": f"{name.replace('_', ' ')} pipeline",
                    "schedule": sched,
                    "config_hash": "0" * 64,
                    "updated_at": t(now),
                }
                for name, sched, *_ in plist
            ],
        )
        runs: list[dict[str, Any]] = []
        tasks: list[dict[str, Any]] = []
        attempts: list[dict[str, Any]] = []
        run_index: list[tuple[str, str, datetime, str]] = []  # id, pipeline, ended, state
        for p_i, (name, sched, task_names, _ins, _outs) in enumerate(plist):
            period = _period(sched)
            # daily_sales_summary is stale on purpose: its newest run is 3 periods old
            lag = period * (3 if p_i % 5 == 2 else 0) + timedelta(minutes=10)
            for k in range(runs_per):
                logical = now - lag - period * (runs_per - k)
                run_id = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
                newest = k == runs_per - 1
                failed = (rnd.random() < 0.06) or (newest and p_i % 5 == 3)
                state = "failed" if failed else "success"
                if newest and p_i % 5 == 1:
                    state = "running"
                started = logical + period + timedelta(seconds=rnd.uniform(1, 20))
                cursor = started
                rows_in = rnd.randint(800, 1200) * (p_i + 1)
                rejected = rnd.randint(0, 12)
                fail_at = rnd.randrange(len(task_names)) if state == "failed" else -1
                retried = rnd.random() < 0.15
                for t_i, task in enumerate(task_names):
                    kind = (
                        "extract"
                        if t_i == 0
                        else ("load" if t_i == len(task_names) - 1 else "transform")
                    )
                    if 0 <= fail_at < t_i:
                        tasks.append(_task_row(run_id, task, kind, rnd, "upstream_failed"))
                        continue
                    n_attempts = 2 if (retried and t_i == 0) else 1
                    t_start = cursor
                    t_state = "success"
                    err = None
                    for a in range(1, n_attempts + 1):
                        delay = 0.0 if a == 1 else 2.0 * 2 ** (a - 2)
                        a_start = cursor + timedelta(seconds=delay)
                        a_end: datetime | None = a_start + timedelta(
                            seconds=rnd.uniform(0.5, 30) * (t_i + 1)
                        )
                        a_state = "failed" if a < n_attempts else "success"
                        a_err = (
                            "ConnectionError: connection reset by peer" if a < n_attempts else None
                        )
                        if t_i == fail_at:
                            a_state, a_err = (
                                "failed",
                                f"ValueError: column 'amount' has {rnd.randint(3, 90)} values that cannot be cast to float",
                            )
                        if state == "running" and t_i == len(task_names) - 1:
                            a_state, a_end = "running", None
                        attempts.append(
                            {
                                "run_id": run_id,
                                "task": task,
                                "attempt": a,
                                "state": a_state,
                                "started_at": t(a_start),
                                "ended_at": t(a_end),
                                "heartbeat_at": t(a_end),
                                "delay_seconds": delay,
                                "error": a_err,
                            }
                        )
                        cursor = a_end or now
                        t_state, err = a_state, a_err
                    row = _task_row(run_id, task, kind, rnd, t_state)
                    row.update(
                        attempts=n_attempts,
                        started_at=t(t_start),
                        ended_at=None if t_state == "running" else t(cursor),
                        rows_in=rows_in,
                        rows_out=rows_in - rejected,
                        rows_rejected=rejected if kind == "transform" else 0,
                        error=err if t_state == "failed" else None,
                        error_type=err.split(":")[0] if err and t_state == "failed" else None,
                    )
                    tasks.append(row)
                ended = None if state == "running" else cursor
                runs.append(
                    {
                        "id": run_id,
                        "pipeline": name,
                        "logical_date": t(logical),
                        "interval_start": t(logical),
                        "interval_end": t(logical + period),
                        "state": state,
                        "trigger": "schedule" if sched else "manual",
                        "scheduled_for": t(logical + period) if sched else None,
                        "created_at": t(started - timedelta(seconds=1)),
                        "started_at": t(started),
                        "ended_at": t(ended),
                        "heartbeat_at": t(ended or now),
                        "owner": "seed",
                        "error": next(
                            (x["error"] for x in tasks[-len(task_names) :] if x["error"]), None
                        ),
                        "rows_in": rows_in,
                        "rows_out": 0 if state == "failed" else rows_in - rejected,
                        "rows_rejected": rejected,
                        "resumed_from": None,
                    }
                )
                run_index.append((run_id, name, ended or now, state))
                if state == "failed":
                    out.failed_run_ids.append(run_id)
                if retried:
                    out.retried_run_ids.append(run_id)
        insert_rows(conn, PipelineRun.__table__, runs)
        insert_rows(conn, TaskRun.__table__, tasks)
        insert_rows(conn, TaskAttempt.__table__, attempts)
        out.runs = len(runs)

        datasets = [d for p in plist for d in p[4]] + [f"{d}_stg" for p in plist for d in p[4]]
        datasets = datasets[: len(plist) * size.datasets_per_pipeline]
        out.datasets = datasets
        owner = {d: p[0] for p in plist for d in p[4]}
        per_run = max(1, size.check_results // max(1, len(run_index)))
        checks = [(d, c) for d in datasets for c in CHECK_TYPES]
        for chunk in chunks(
            check_rows(conn, rnd, run_index, checks, owner, per_run, size.check_results, now)
        ):
            insert_rows(conn, CheckResult.__table__, chunk)
            out.check_results += len(chunk)

        dead = []
        failed_like = [r for r in run_index if r[3] != "running"]
        for i in range(size.dead_letters):
            run_id, pipe, ended, _ = failed_like[rnd.randrange(len(failed_like))]
            reason = REASONS[i % len(REASONS)]
            dead.append(
                {
                    "pipeline": pipe,
                    "run_id": run_id,
                    "task": "extract",
                    "dataset": next(p[3][0] for p in plist if p[0] == pipe),
                    "reason": reason,
                    "raw": json.dumps(
                        {"order_id": 1000 + i, "amount": "n/a", "status": "shipped?"}
                    ),
                    "location": f"orders_{i % 7}.csv:{i + 2}",
                    "status": "waiting" if i % 5 else "replayed",
                    "created_at": t(ended),
                    "resolved_at": None,
                    "replay_run_id": None,
                }
            )
        insert_rows(conn, DeadLetter.__table__, dead)
        insert_rows(
            conn,
            LineageEvent.__table__,
            lineage_rows(conn, plist, run_index, now, size.lineage_every_run),
        )
        alerts(conn, rnd, plist, size.alert_history, now)
    return out


def _task_row(run_id: str, task: str, kind: str, rnd: random.Random, state: str) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "task": task,
        "kind": kind,
        "task_run_id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
        "state": state,
        "attempts": 0,
        "started_at": None,
        "ended_at": None,
        "rows_in": None,
        "rows_out": None,
        "rows_rejected": 0,
        "rows_filtered": 0,
        "error": None,
        "error_type": None,
        "output_path": None,
    }


__all__ = ["SeedSize", "Seeded", "insert_rows", "seed_store"]
