"""The scheduler's tables: one row per due schedule slot, the active-scheduler lease,
and how often an orphaned run was recovered.

`schedule_slots` is the scheduler's truth: its primary key (pipeline, scheduled_for)
makes it impossible to create a scheduled run twice, whatever the number of
`serve` processes; a slot is either `run` (it has a run) or `missed` (skipped by
the catch-up policy, with the reason).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from monitor.store.tables import Base
from monitor.store.types import UTCDateTime


class ScheduleSlot(Base):
    __tablename__ = "schedule_slots"
    __table_args__ = (sa.Index(None, "run_id"),)

    pipeline: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    interval_start: Mapped[datetime] = mapped_column(UTCDateTime)
    interval_end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(20))  # run | missed
    run_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)
    reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SchedulerLease(Base):
    """Who schedules: on SQLite the lease itself; on PostgreSQL (advisory lock) a record."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    owner: Mapped[str] = mapped_column(sa.String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RunRecovery(Base):
    """How many times `serve` took over a run whose process died (orphaned) or stopped."""

    __tablename__ = "run_recoveries"

    run_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    recoveries: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_reason: Mapped[str] = mapped_column(sa.Text, default="")
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
