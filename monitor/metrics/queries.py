"""The few aggregate queries one scrape runs against the store (SQLAlchemy Core).

Each returns plain rows; `collector` turns them into metric families. Every
query groups by bounded values only (pipeline, state, dataset, check).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from monitor.store.tables import CheckResult, DeadLetter, LineageEvent, Pipeline, PipelineRun

RUNS = PipelineRun.__table__
PIPELINES = Pipeline.__table__
DEAD = DeadLetter.__table__
CHECKS = CheckResult.__table__
OUTBOX = LineageEvent.__table__

# Run duration buckets (seconds): batch pipelines run for seconds to hours.
DURATION_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0)
FINISHED = ("success", "failed")


def seconds_between(dialect: str, start: Any, end: Any) -> sa.ColumnElement[float]:
    """`end - start` in seconds; the one place the dialects differ."""
    if dialect == "postgresql":
        return sa.type_coerce(sa.extract("epoch", end - start), sa.Float)
    # julianday() is a double of days: about 50 µs of noise, so keep milliseconds
    return sa.func.round((sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0, 3)


def pipeline_names(conn: sa.Connection) -> list[str]:
    return [r[0] for r in conn.execute(sa.select(PIPELINES.c.name))]


def runs_by_state(conn: sa.Connection) -> Sequence[sa.Row[Any]]:
    """Per pipeline and state: count, records in/out/rejected, last start and end."""
    c = RUNS.c
    query = sa.select(
        c.pipeline,
        c.state,
        sa.func.count().label("runs"),
        sa.func.coalesce(sa.func.sum(c.rows_in), 0).label("rows_in"),
        sa.func.coalesce(sa.func.sum(c.rows_out), 0).label("rows_out"),
        sa.func.coalesce(sa.func.sum(c.rows_rejected), 0).label("rows_rejected"),
        sa.func.max(c.started_at).label("last_started"),
        sa.func.max(c.ended_at).label("last_ended"),
    ).group_by(c.pipeline, c.state)
    return conn.execute(query).all()


def durations(conn: sa.Connection) -> Sequence[sa.Row[Any]]:
    """Per pipeline: finished-run count, duration sum, and cumulative bucket counts."""
    c = RUNS.c
    d = seconds_between(conn.dialect.name, c.started_at, c.ended_at)
    buckets = [
        sa.func.sum(sa.case((d <= le, 1), else_=0)).label(f"le_{i}")
        for i, le in enumerate(DURATION_BUCKETS)
    ]
    query = (
        sa.select(c.pipeline, sa.func.count().label("n"), sa.func.sum(d).label("total"), *buckets)
        .where(c.state.in_(FINISHED), c.started_at.is_not(None), c.ended_at.is_not(None))
        .group_by(c.pipeline)
    )
    return conn.execute(query).all()


def waiting_dead_letters(conn: sa.Connection) -> Sequence[sa.Row[Any]]:
    c = DEAD.c
    query = (
        sa.select(c.pipeline, sa.func.count().label("n"))
        .where(c.status == "waiting")
        .group_by(c.pipeline)
    )
    return conn.execute(query).all()


def latest_checks(conn: sa.Connection) -> Sequence[sa.Row[Any]]:
    """The newest result of every (dataset, check)."""
    c = CHECKS.c
    rank = (
        sa.func.row_number()
        .over(partition_by=(c.dataset, c.check_name), order_by=(c.executed_at.desc(), c.id.desc()))
        .label("rank")
    )
    ranked = sa.select(
        c.dataset,
        c.check_name,
        c.check_type,
        c.severity,
        c.outcome,
        c.value,
        c.executed_at,
        c.pipeline,
        rank,
    ).subquery()
    query = (
        sa.select(ranked).where(ranked.c.rank == 1).order_by(ranked.c.dataset, ranked.c.check_name)
    )
    return conn.execute(query).all()


def scheduler_lag(conn: sa.Connection) -> Sequence[sa.Row[Any]]:
    """Per pipeline: start minus scheduled time of its newest scheduled, started run."""
    c = RUNS.c
    rank = (
        sa.func.row_number()
        .over(partition_by=c.pipeline, order_by=c.scheduled_for.desc())
        .label("rank")
    )
    lag = seconds_between(conn.dialect.name, c.scheduled_for, c.started_at).label("lag")
    ranked = (
        sa.select(c.pipeline, lag, rank)
        .where(c.scheduled_for.is_not(None), c.started_at.is_not(None))
        .subquery()
    )
    return conn.execute(sa.select(ranked.c.pipeline, ranked.c.lag).where(ranked.c.rank == 1)).all()


def outbox_backlog(conn: sa.Connection) -> tuple[int, datetime | None]:
    c = OUTBOX.c
    row = conn.execute(
        sa.select(sa.func.count(), sa.func.min(c.created_at)).where(c.delivered_at.is_(None))
    ).one()
    return int(row[0]), row[1]
