"""The built-in evaluator on a real store: rules over the collector's samples, state and
history in the alert tables, notifications to a local webhook, restarts in between."""

from __future__ import annotations

from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session

from alerts import AlertsConfig
from monitor.metrics import build_evaluator
from monitor.store.tables_alerts import AlertGroup, AlertHistory, AlertState
from tests.integration.alerts.alerts_receivers import http_receiver
from tests.integration.alerts.alerts_rows import T0, add_check, add_run, store

M = timedelta(minutes=1)


def config(url: str) -> AlertsConfig:
    return AlertsConfig.model_validate(
        {
            "channels": {"hook": {"type": "webhook", "url": url}},
            "default_routing": ["hook"],
            "grouping": {"group_wait": "30s", "group_interval": "1m", "repeat_interval": "4h"},
            "rules": [
                {
                    "name": "PipelineStale",
                    "type": "pipeline_stale",
                    "max_age": "25h",
                    "for": "5m",
                    "severity": "critical",
                },
                {
                    "name": "CheckFailed",
                    "type": "check_failed",
                    "check_severities": ["error"],
                    "severity": "critical",
                },
                {
                    "name": "LowConversionRate",
                    "type": "threshold",
                    "check": {
                        "dataset": "warehouse.hourly_metrics",
                        "check": "avg(conversion_rate)",
                    },
                    "op": "<",
                    "value": 2,
                },
            ],
        }
    )


def test_stale_pipeline_and_failed_check_notify_once_and_resolve_once(store_url: str) -> None:
    engine = store(store_url)
    with Session(engine) as s, s.begin():  # orders_etl last succeeded at T0 - 24h
        add_run(s, "orders_etl", "success", T0 - timedelta(hours=24), 60.0, (10, 10, 0))
        add_check(s, "production.orders", "missing(customer_id)", "fail", 12.0, T0)
        add_check(s, "warehouse.hourly_metrics", "avg(conversion_rate)", "pass", 3.1, T0)
    client = httpx.Client()
    with http_receiver() as rx:
        cfg = config(rx.url + "/alerts")
        ev = build_evaluator(engine, cfg, client)
        now = T0
        ev.tick(now)  # the check failed: CheckFailed fires at once (no `for:`)
        ev.tick(now + 30 * timedelta(seconds=1))  # group_wait over
        assert [b.body["groupLabels"] for b in rx.got] == [
            {"alertname": "CheckFailed", "dataset": "production.orders"}
        ]
        # the source stops: the pipeline goes stale 1 h later, fires 5 min after that
        now = T0 + timedelta(hours=1, minutes=2)  # 25h 1m since the last success ended
        ev.tick(now)
        ev = build_evaluator(engine, cfg, client)  # `serve` restarted: state from the store
        ev.tick(now + 4 * M)
        assert len(rx.got) == 1
        ev.tick(now + 5 * M)
        ev.tick(now + 5 * M + 30 * timedelta(seconds=1))
        stale = rx.got[1].body
        assert stale["status"] == "firing"
        assert stale["alerts"][0]["labels"] == {
            "alertname": "PipelineStale",
            "pipeline": "orders_etl",
            "severity": "critical",
        }
        description = stale["alerts"][0]["annotations"]["description"]
        assert description == "Last success 1d 1h 6m 30s ago."
        for i in range(1, 30):  # quiet while nothing changes (repeat_interval 4h)
            ev.tick(now + 6 * M + i * M)
        assert len(rx.got) == 2
        # the source recovers and the check passes again
        with Session(engine) as s, s.begin():
            add_run(s, "orders_etl", "success", now + 40 * M, 30.0, (10, 10, 0))
            add_check(s, "production.orders", "missing(customer_id)", "pass", 0.0, now + 41 * M)
            add_check(
                s, "warehouse.hourly_metrics", "avg(conversion_rate)", "pass", 1.5, now + 41 * M
            )
        ev.tick(now + 42 * M)
        ev.tick(now + 43 * M)
    bodies = [(b.body["status"], b.body["groupLabels"]["alertname"]) for b in rx.got]
    assert sorted(bodies[2:]) == [
        ("firing", "LowConversionRate"),
        ("resolved", "CheckFailed"),
        ("resolved", "PipelineStale"),
    ]
    low = next(b.body for b in rx.got if b.body["groupLabels"]["alertname"] == "LowConversionRate")
    assert low["alerts"][0]["annotations"]["summary"] == (
        "warehouse.hourly_metrics avg(conversion_rate) < 2"
    )
    with engine.connect() as conn:
        history = conn.execute(
            sa.select(AlertHistory.rule, AlertHistory.event).order_by(AlertHistory.id)
        ).all()
        states = dict(conn.execute(sa.select(AlertState.rule, AlertState.state)).all())
        groups = conn.execute(sa.select(sa.func.count()).select_from(AlertGroup)).scalar()
    assert [tuple(r) for r in history if r.rule == "PipelineStale"] == [
        ("PipelineStale", "pending"),
        ("PipelineStale", "firing"),
        ("PipelineStale", "notified"),
        ("PipelineStale", "resolved"),
        ("PipelineStale", "notified"),
    ]
    assert states == {
        "CheckFailed": "resolved",
        "PipelineStale": "resolved",
        "LowConversionRate": "firing",
    }
    assert groups == 1  # LowConversionRate's group is still open
    client.close()
    engine.dispose()
