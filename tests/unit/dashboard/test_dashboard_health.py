"""Freshness against the schedule and the health verdicts, problems first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard import health

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "period"),
    [
        ({"every": "PT1H"}, timedelta(hours=1)),
        ({"every": "PT15M"}, timedelta(minutes=15)),
        ({"every": timedelta(seconds=90)}, timedelta(seconds=90)),
        ({"cron": "*/30 * * * *"}, timedelta(minutes=30)),
        ({"cron": "0 2 * * *", "timezone": "Europe/Paris"}, timedelta(days=1)),
        (None, None),
        ({}, None),
    ],
)
def test_schedule_period(schedule: dict | None, period: timedelta | None) -> None:
    assert health.schedule_period(schedule, NOW) == period


def test_staleness_window_is_two_periods() -> None:
    assert health.staleness_window(timedelta(hours=1)) == timedelta(hours=2)
    assert health.staleness_window(None) is None


def test_freshness() -> None:
    window = timedelta(hours=2)
    assert health.freshness(NOW - timedelta(hours=1), window, NOW) == ("fresh", timedelta(hours=1))
    assert health.freshness(NOW - timedelta(hours=2), window, NOW)[0] == "fresh"
    assert health.freshness(NOW - timedelta(hours=2, seconds=1), window, NOW)[0] == "stale"
    assert health.freshness(None, window, NOW) == ("never", None)
    assert health.freshness(None, None, NOW) == ("unscheduled", None)
    assert health.freshness(NOW - timedelta(days=9), None, NOW)[0] == "unscheduled"


def test_pipeline_health_levels_and_problems() -> None:
    ok = health.pipeline_health("a", "success", "fresh", 0, 0, [])
    assert (ok.level, ok.problems) == ("ok", [])
    failed = health.pipeline_health("b", "failed", "stale", 2, 1, ["critical"], 1)
    assert failed.level == "critical"
    assert failed.problems == [
        "last run failed",
        "stale",
        "2 failing checks",
        "1 firing alert",
        "1 check warning",
        "1 pending alert",
    ]
    warned = health.pipeline_health("c", "success", "fresh", 0, 0, ["warning"])
    assert (warned.level, warned.problems) == ("warning", ["1 firing alert"])
    critical_alert = health.pipeline_health("d", "running", "fresh", 0, 0, ["critical"])
    assert critical_alert.level == "critical"
    never = health.pipeline_health("e", None, "never", 0, 0, [])
    assert (never.level, never.problems) == ("warning", ["no successful run yet"])
    unknown = health.pipeline_health("f", None, "unscheduled", 0, 0, [])
    assert unknown.level == "unknown"


def test_overall_is_the_worst_level() -> None:
    assert health.overall(["ok", "warning", "ok"]) == "warning"
    assert health.overall(["ok", "critical", "warning"]) == "critical"
    assert health.overall([]) == "ok"
    assert sorted(["ok", "unknown", "critical", "warning"], key=health.level_rank) == [
        "critical",
        "warning",
        "ok",
        "unknown",
    ]
