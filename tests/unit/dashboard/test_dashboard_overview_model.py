"""The overview table: one row per pipeline with its verdict, problems first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from dashboard.overview_model import COLUMNS, alert_pipeline, overview

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def frames() -> tuple[pd.DataFrame, ...]:
    pipelines = pd.DataFrame(
        {
            "name": ["hourly", "daily", "manual", "configured_only"],
            "description": ["", "", "", ""],
            "schedule": [{"every": "PT1H"}, {"cron": "0 2 * * *"}, None, {"every": "PT5M"}],
        }
    )
    latest = pd.DataFrame(
        {
            "pipeline": ["hourly", "daily", "manual", "gone"],
            "run_id": ["r1", "r2", "r3", "r4"],
            "state": ["success", "failed", "success", "success"],
            "started_at": [NOW - timedelta(minutes=10)] * 4,
            "ended_at": [NOW - timedelta(minutes=9)] * 4,
        }
    )
    success = pd.DataFrame(
        {
            "pipeline": ["hourly", "daily", "manual", "gone"],
            "last_success_at": [
                NOW - timedelta(minutes=9),
                NOW - timedelta(days=3),
                NOW - timedelta(days=30),
                NOW - timedelta(minutes=9),
            ],
        }
    )
    checks = pd.DataFrame(
        {
            "dataset": ["h.a", "h.b", "d.a", "m.a"],
            "pipeline": ["hourly", "hourly", "daily", "manual"],
            "outcome": ["pass", "warn", "fail", "error"],
        }
    )
    alerts = pd.DataFrame(
        {
            "state": ["firing", "pending", "firing", "firing"],
            "severity": ["critical", "warning", "warning", "warning"],
            "labels": [
                {"pipeline": "daily"},
                {"pipeline": "hourly"},
                {"dataset": "x"},
                {"dataset": "m.a", "check": "c"},
            ],
        }
    )
    return pipelines, latest, success, checks, alerts


def test_overview_rows_problems_first() -> None:
    table = overview(*frames(), NOW)
    assert list(table.columns) == COLUMNS
    assert list(table["pipeline"]) == ["daily", "manual", "configured_only", "hourly", "gone"]
    rows = {r["pipeline"]: r for r in table.to_dict("records")}
    daily = rows["daily"]
    assert daily["health"] == "critical"
    assert daily["problems"] == "last run failed, stale, 1 failing check, 1 firing alert"
    assert (daily["freshness"], daily["window"], daily["last success"]) == (
        "stale",
        "2d 0h",
        "3d 0h ago",
    )
    assert daily["schedule"] == "cron 0 2 * * *"
    # an error outcome fails too; the alert on its dataset is counted for the pipeline
    assert rows["manual"]["problems"] == "1 failing check, 1 firing alert"
    assert rows["manual"]["freshness"] == "unscheduled"
    hourly = rows["hourly"]
    assert (hourly["health"], hourly["problems"]) == (
        "warning",
        "1 check warning, 1 pending alert",
    )
    assert (hourly["freshness"], hourly["duration"], hourly["last run at"]) == (
        "fresh",
        "1m 00s",
        "10m 00s ago",
    )
    assert hourly["schedule"] == "every 1h 00m"
    never = rows["configured_only"]
    assert (never["health"], never["last run"], never["freshness"]) == ("warning", "—", "never")
    assert rows["gone"]["health"] == "ok"  # runs without a config entry still show


def test_alerts_find_their_pipeline_by_label_or_dataset() -> None:
    owners = {"wh.orders": "orders_etl"}
    assert alert_pipeline({"pipeline": "p", "dataset": "wh.orders"}, owners) == "p"
    assert alert_pipeline({"dataset": "wh.orders"}, owners) == "orders_etl"
    assert alert_pipeline({"dataset": "elsewhere"}, owners) is None
    assert alert_pipeline({"alertname": "X"}) is None
    assert alert_pipeline(None) is None


def test_overview_of_an_empty_store() -> None:
    empty = [pd.DataFrame(columns=c) for c in (["name", "schedule"], ["pipeline"])]
    table = overview(
        empty[0],
        empty[1],
        pd.DataFrame(columns=["pipeline", "last_success_at"]),
        pd.DataFrame(columns=["pipeline", "outcome"]),
        pd.DataFrame(columns=["state", "severity", "labels"]),
        NOW,
    )
    assert table.empty and list(table.columns) == COLUMNS
