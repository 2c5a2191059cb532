"""Alert state and history of the built-in evaluator (alerts.Evaluator).

`alert_states` holds the current state of every alert instance (one rule and
one label set), so a restarted evaluator continues where it stopped;
`alert_history` is append-only (transitions and notifications) for the
dashboard; `alert_groups` remembers what was last sent to each channel per
notification group, so a restart does not repeat notifications.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from monitor.store.tables import Base
from monitor.store.types import JSONType, UTCDateTime


class AlertState(Base):
    __tablename__ = "alert_states"
    __table_args__ = (sa.Index(None, "state"),)

    rule: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    labels: Mapped[dict[str, Any]] = mapped_column(JSONType)
    annotations: Mapped[dict[str, Any]] = mapped_column(JSONType)
    severity: Mapped[str] = mapped_column(sa.String(40))
    state: Mapped[str] = mapped_column(sa.String(20))  # pending | firing | resolved
    value: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    active_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AlertHistory(Base):
    __tablename__ = "alert_history"
    __table_args__ = (sa.Index(None, "at"), sa.Index(None, "rule", "fingerprint"))

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    rule: Mapped[str] = mapped_column(sa.String(200))
    fingerprint: Mapped[str] = mapped_column(sa.String(32))
    event: Mapped[str] = mapped_column(sa.String(20))  # pending|firing|resolved|notified|failed
    severity: Mapped[str] = mapped_column(sa.String(40))
    labels: Mapped[dict[str, Any]] = mapped_column(JSONType)
    value: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    channel: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    message: Mapped[str] = mapped_column(sa.Text, default="")


class AlertGroup(Base):
    __tablename__ = "alert_groups"

    channel: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    group_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    labels: Mapped[dict[str, Any]] = mapped_column(JSONType)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_digest: Mapped[str] = mapped_column(sa.String(64), default="")
