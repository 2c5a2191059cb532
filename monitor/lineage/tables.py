"""The lineage tables as SQLAlchemy Core: the outbox and the sender lease.

`lineage_events` is created by revision 0001 (the ORM model `LineageEvent`);
revision 0003_lineage adds `rejected_at` and `lineage_sender_lease`. They are
declared here on their own MetaData so the lineage code sees every column.
"""

from __future__ import annotations

import sqlalchemy as sa

from monitor.store.types import UTCDateTime

metadata = sa.MetaData()

outbox = sa.Table(
    "lineage_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(36), nullable=False),
    sa.Column("event_type", sa.String(20), nullable=False),
    sa.Column("event_time", UTCDateTime, nullable=False),
    sa.Column("job_namespace", sa.String(400), nullable=False),
    sa.Column("job_name", sa.String(400), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("delivered_at", UTCDateTime, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("rejected_at", UTCDateTime, nullable=True),
)

sender_lease = sa.Table(
    "lineage_sender_lease",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
)

# Undelivered events still to send, oldest first.
PENDING = sa.and_(outbox.c.delivered_at.is_(None), outbox.c.rejected_at.is_(None))
