"""The alert evaluator's state in the store (tables in monitor.store.tables_alerts)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from alerts.state import RESOLVED, AlertInstance, Changes, GroupState
from monitor.store.tables_alerts import AlertGroup, AlertHistory, AlertState

STATES: sa.Table = AlertState.__table__  # type: ignore[assignment]
HISTORY: sa.Table = AlertHistory.__table__  # type: ignore[assignment]
GROUPS: sa.Table = AlertGroup.__table__  # type: ignore[assignment]


def _instance_row(inst: AlertInstance) -> dict[str, object]:
    return {
        "rule": inst.rule,
        "fingerprint": inst.fingerprint,
        "labels": inst.labels,
        "annotations": inst.annotations,
        "severity": inst.severity,
        "state": inst.state,
        "value": inst.value,
        "active_at": inst.active_at,
        "fired_at": inst.fired_at,
        "resolved_at": inst.resolved_at,
        "updated_at": inst.updated_at,
    }


class SqlAlertStore:
    """alerts.StateStore over SQLAlchemy Core: one transaction per tick."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def load(self) -> tuple[list[AlertInstance], list[GroupState]]:
        with self.engine.connect() as conn:
            groups = [
                GroupState(
                    r.channel,
                    r.group_key,
                    dict(r.labels),
                    r.first_seen_at,
                    r.last_sent_at,
                    r.last_digest,
                )
                for r in conn.execute(sa.select(GROUPS))
            ]
            sent = [g.last_sent_at for g in groups if g.last_sent_at is not None]
            wanted = STATES.c.state != RESOLVED
            if sent:  # resolutions not yet told to some channel
                wanted = sa.or_(wanted, STATES.c.resolved_at > min(sent))
            instances = [
                AlertInstance(
                    r.rule,
                    r.fingerprint,
                    dict(r.labels),
                    dict(r.annotations),
                    r.severity,
                    r.state,
                    r.value,
                    r.active_at,
                    r.updated_at,
                    r.fired_at,
                    r.resolved_at,
                )
                for r in conn.execute(sa.select(STATES).where(wanted))
            ]
        return instances, groups

    def save(self, changes: Changes) -> None:
        with self.engine.begin() as conn:
            for inst in changes.instances:
                key = (STATES.c.rule == inst.rule) & (STATES.c.fingerprint == inst.fingerprint)
                row = _instance_row(inst)
                if conn.execute(sa.update(STATES).where(key).values(row)).rowcount == 0:
                    conn.execute(sa.insert(STATES).values(row))
            for rule, fp in changes.removed:
                conn.execute(
                    sa.delete(STATES).where(STATES.c.rule == rule, STATES.c.fingerprint == fp)
                )
            for group in changes.groups:
                key = (GROUPS.c.channel == group.channel) & (GROUPS.c.group_key == group.group_key)
                values = {
                    "labels": group.labels,
                    "first_seen_at": group.first_seen_at,
                    "last_sent_at": group.last_sent_at,
                    "last_digest": group.last_digest,
                }
                if conn.execute(sa.update(GROUPS).where(key).values(values)).rowcount == 0:
                    conn.execute(
                        sa.insert(GROUPS).values(
                            channel=group.channel, group_key=group.group_key, **values
                        )
                    )
            for channel, group_key in changes.removed_groups:
                conn.execute(
                    sa.delete(GROUPS).where(
                        GROUPS.c.channel == channel, GROUPS.c.group_key == group_key
                    )
                )
            if changes.history:
                conn.execute(
                    sa.insert(HISTORY),
                    [
                        {
                            "at": e.at,
                            "rule": e.rule,
                            "fingerprint": e.fingerprint,
                            "event": e.event,
                            "severity": e.severity,
                            "labels": e.labels,
                            "value": e.value,
                            "channel": e.channel,
                            "message": e.message,
                        }
                        for e in changes.history
                    ],
                )


def alert_rows(engine: sa.Engine) -> list[dict[str, Any]]:
    """Every stored alert, firing first, then pending, then resolved (newest first)."""
    order = sa.case({"firing": 0, "pending": 1}, value=STATES.c.state, else_=2)
    query = sa.select(STATES).order_by(order, STATES.c.updated_at.desc(), STATES.c.rule)
    with engine.connect() as conn:
        return [
            {
                "rule": r.rule,
                "state": r.state,
                "severity": r.severity,
                "labels": dict(r.labels),
                "annotations": dict(r.annotations),
                "value": r.value,
                "active_at": r.active_at.isoformat(),
                "fired_at": r.fired_at.isoformat() if r.fired_at else None,
                "resolved_at": r.resolved_at.isoformat() if r.resolved_at else None,
            }
            for r in conn.execute(query)
        ]
