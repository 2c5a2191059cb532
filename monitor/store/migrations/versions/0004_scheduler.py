"""scheduler: schedule slots, the scheduler lease, run recoveries

Revision ID: 0004_scheduler
Revises: 0001_foundation
Create Date: 2026-11-25 22:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.types

revision = "0004_scheduler"
down_revision = "0001_foundation"
branch_labels = ("scheduler",)
depends_on = None

UTC = monitor.store.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "schedule_slots",
        sa.Column("pipeline", sa.String(length=200), nullable=False),
        sa.Column("scheduled_for", UTC(timezone=True), nullable=False),
        sa.Column("interval_start", UTC(timezone=True), nullable=False),
        sa.Column("interval_end", UTC(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pipeline", "scheduled_for", name=op.f("pk_schedule_slots")),
    )
    with op.batch_alter_table("schedule_slots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_slots_run_id"), ["run_id"], unique=False)
    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", UTC(timezone=True), nullable=False),
        sa.Column("heartbeat_at", UTC(timezone=True), nullable=False),
        sa.Column("expires_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_lease")),
    )
    op.create_table(
        "run_recoveries",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("recoveries", sa.Integer(), nullable=False),
        sa.Column("last_reason", sa.Text(), nullable=False),
        sa.Column("last_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run_recoveries")),
    )


def downgrade() -> None:
    op.drop_table("run_recoveries")
    op.drop_table("scheduler_lease")
    with op.batch_alter_table("schedule_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_slots_run_id"))
    op.drop_table("schedule_slots")
