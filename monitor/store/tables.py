"""The store's tables (SQLAlchemy 2.x ORM). Alembic migrations create them.

One module per area keeps this file short: other areas add their own table
modules (imported by `monitor.store.models`) and their own migration revisions.
Times are aware UTC; ids of runs are UUIDs (v7) as strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from monitor.store.types import JSONType, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class Pipeline(Base):
    """A pipeline as last loaded from the config (kept so history outlives a rename)."""

    __tablename__ = "pipelines"

    name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    schedule: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    config_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PipelineRun(Base):
    __tablename__ = "pipeline_runs"
    __table_args__ = (
        sa.Index(None, "pipeline", "logical_date"),
        sa.Index(None, "state"),
        sa.Index(None, "created_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    pipeline: Mapped[str] = mapped_column(sa.String(200))
    logical_date: Mapped[datetime] = mapped_column(UTCDateTime)
    interval_start: Mapped[datetime] = mapped_column(UTCDateTime)
    interval_end: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(sa.String(20))
    trigger: Mapped[str] = mapped_column(sa.String(20))
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    owner: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    rows_in: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    rows_out: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    rows_rejected: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    resumed_from: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)


class TaskRun(Base):
    """The latest state of one task in one run; attempts are in `task_attempts`."""

    __tablename__ = "task_runs"
    __table_args__ = (sa.UniqueConstraint("run_id", "task"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(sa.ForeignKey("pipeline_runs.id", ondelete="CASCADE"))
    task: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20))
    task_run_id: Mapped[str] = mapped_column(sa.String(36))
    state: Mapped[str] = mapped_column(sa.String(20))
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rows_in: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    rows_out: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    rows_rejected: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    rows_filtered: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    error_type: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    output_path: Mapped[str | None] = mapped_column(sa.Text, nullable=True)


class TaskAttempt(Base):
    """One try of one task: the timeline, retries and backoff delays."""

    __tablename__ = "task_attempts"
    __table_args__ = (sa.Index(None, "run_id", "task"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(sa.ForeignKey("pipeline_runs.id", ondelete="CASCADE"))
    task: Mapped[str] = mapped_column(sa.String(200))
    attempt: Mapped[int] = mapped_column(sa.Integer)
    state: Mapped[str] = mapped_column(sa.String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delay_seconds: Mapped[float] = mapped_column(sa.Float, default=0.0)  # backoff waited before
    error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)


class Watermark(Base):
    """The incremental cursor of one source of one pipeline."""

    __tablename__ = "watermarks"

    pipeline: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(400), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    value_type: Mapped[str] = mapped_column(sa.String(40))
    run_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeadLetter(Base):
    """A record that failed parsing, casting or a row-level rule, kept with its reason."""

    __tablename__ = "dead_letters"
    __table_args__ = (sa.Index(None, "pipeline", "status"), sa.Index(None, "run_id"))

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    pipeline: Mapped[str] = mapped_column(sa.String(200))
    run_id: Mapped[str] = mapped_column(sa.String(36))
    task: Mapped[str] = mapped_column(sa.String(200))
    dataset: Mapped[str] = mapped_column(sa.Text, default="")
    reason: Mapped[str] = mapped_column(sa.Text)
    raw: Mapped[str] = mapped_column(sa.Text)  # the record as read (a CSV line, a JSON object)
    location: Mapped[str | None] = mapped_column(sa.Text, nullable=True)  # file:line, offset
    status: Mapped[str] = mapped_column(sa.String(20), default="waiting")  # waiting|replayed|purged
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    replay_run_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)


class CheckResult(Base):
    """One check evaluated once; also the metric history anomaly detection reads."""

    __tablename__ = "check_results"
    __table_args__ = (
        sa.Index(None, "dataset", "check_name", "executed_at"),
        sa.Index(None, "executed_at"),
        sa.Index(None, "run_id"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)
    pipeline: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    task: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    dataset: Mapped[str] = mapped_column(sa.String(400))
    check_name: Mapped[str] = mapped_column(sa.String(400))
    check_type: Mapped[str] = mapped_column(sa.String(60))
    column: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    severity: Mapped[str] = mapped_column(sa.String(20))
    outcome: Mapped[str] = mapped_column(sa.String(20))  # pass | warn | fail | error | learning
    value: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    warn_threshold: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    fail_threshold: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    expected_low: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    expected_high: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    sql: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    samples: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType, nullable=True)
    executed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LineageEvent(Base):
    """The OpenLineage outbox: every event is stored first, then delivered in id order."""

    __tablename__ = "lineage_events"
    __table_args__ = (sa.Index(None, "delivered_at", "id"), sa.Index(None, "run_id"))

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(sa.String(36))
    event_type: Mapped[str] = mapped_column(sa.String(20))
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)
    job_namespace: Mapped[str] = mapped_column(sa.String(400))
    job_name: Mapped[str] = mapped_column(sa.String(400))
    payload: Mapped[str] = mapped_column(sa.Text)  # the serialized event, as sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # 0003_lineage
