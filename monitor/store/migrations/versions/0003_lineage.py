"""lineage: outbox rejections and the single-sender lease

Revision ID: 0003_lineage
Revises: 0001_foundation
Create Date: 2026-11-25 22:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.types

revision = "0003_lineage"
down_revision = "0001_foundation"
branch_labels = ("lineage",)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lineage_events", schema=None) as batch_op:
        # set when the backend refused an event for good (HTTP 4xx): it is not retried
        batch_op.add_column(
            sa.Column("rejected_at", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "lineage_sender_lease",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("expires_at", monitor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_lineage_sender_lease")),
    )


def downgrade() -> None:
    op.drop_table("lineage_sender_lease")
    with op.batch_alter_table("lineage_events", schema=None) as batch_op:
        batch_op.drop_column("rejected_at")
