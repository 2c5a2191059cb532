"""The few aggregate queries one scrape runs against the store (SQLAlchemy Core).

Each returns plain rows; `collector` turns them into metric families. Every
query groups by bounded values only (pipeline, state, dataset, check).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from monitor.pipeline.events import RunState
from monitor.store.tables import CheckResult, DeadLetter, LineageEvent, Pipeline, PipelineRun

RUNS = PipelineRun.__table__
PIPELINES = Pipeline.__table__
DEAD = DeadLetter.__table__
CHECKS = CheckResult.__table__
OUTBOX = LineageEvent.__table__

# Run duration buckets (seconds): batch pipelines run for seconds to hours.
DURATION_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0)
FINISHED = ("success", "failed")  # runs whose records and durations count
RUN_STATES = ("success", "failed", "aborted")  # final states
UNFINISHED = tuple(str(s) for s in RunState if s not in RUN_STATES)


def seconds_between(dialect: str, start: Any, end: Any) -> sa.ColumnElement[float]:
    """`end - start` in seconds; the one place the dialects differ."""
    if dialect == "postgresql":
        return sa.type_coerce(sa.extract("epoch", end - start), sa.Float)
    # julianday() is a double of days: about 50 µs of noise, so keep milliseconds
    return sa.func.round((sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0, 3)


def pipeline_names(conn: sa.Connection) -> list[str]:
    return [r[0] for r in conn.execute(sa.select(PIPELINES.c.name))]


def _run_columns(conn: sa.Connection) -> list[sa.ColumnElement[Any]]:
    c, dialect = RUNS.c, conn.dialect.name
    return [
        c.pipeline,
        c.state,
        c.rows_in,
        c.rows_out,
        c.rows_rejected,
        c.started_at,
        c.ended_at,
        c.scheduled_for,
        seconds_between(dialect, c.started_at, c.ended_at).label("duration"),
        seconds_between(dialect, c.scheduled_for, c.started_at).label("lag"),
    ]


def finished_runs(conn: sa.Connection, after: datetime | None) -> list[sa.Row[Any]]:
    """Runs in a final state that finished after `after` (all of them when None)."""
    c = RUNS.c
    finished_at = sa.func.coalesce(c.ended_at, c.started_at, c.created_at)
    query = sa.select(*_run_columns(conn), finished_at.label("finished_at")).where(
        c.state.in_(RUN_STATES)
    )
    if after is not None:
        query = query.where(finished_at > after)
    return list(conn.execute(query))


def unfinished_runs(conn: sa.Connection) -> list[sa.Row[Any]]:
    """Queued and running runs (few; `state` is indexed, so IN, not NOT IN)."""
    query = sa.select(*_run_columns(conn)).where(RUNS.c.state.in_(UNFINISHED))
    return list(conn.execute(query))


def waiting_dead_letters(conn: sa.Connection) -> Sequence[sa.Row[Any]]:
    c = DEAD.c
    query = (
        sa.select(c.pipeline, sa.func.count().label("n"))
        .where(c.status == "waiting")
        .group_by(c.pipeline)
    )
    return conn.execute(query).all()


def latest_checks(conn: sa.Connection) -> list[sa.Row[Any]]:
    """The newest result of every (dataset, check) by execution time (then by id)."""
    c = CHECKS.c
    newest = (
        sa.select(c.dataset, c.check_name, sa.func.max(c.executed_at).label("at"))
        .group_by(c.dataset, c.check_name)
        .subquery()
    )
    query = (
        sa.select(
            c.dataset,
            c.check_name,
            c.check_type,
            c.severity,
            c.outcome,
            c.value,
            c.executed_at,
            c.pipeline,
        )
        .join(
            newest,
            (c.dataset == newest.c.dataset)
            & (c.check_name == newest.c.check_name)
            & (c.executed_at == newest.c.at),
        )
        .order_by(c.dataset, c.check_name, c.id)
    )
    latest: dict[tuple[str, str], sa.Row[Any]] = {}
    for row in conn.execute(query):
        latest[row.dataset, row.check_name] = row  # ties: the highest id wins
    return list(latest.values())


def outbox_backlog(conn: sa.Connection) -> tuple[int, datetime | None]:
    c = OUTBOX.c
    row = conn.execute(
        sa.select(sa.func.count(), sa.func.min(c.created_at)).where(c.delivered_at.is_(None))
    ).one()
    return int(row[0]), row[1]
