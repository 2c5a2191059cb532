"""Due slots and the catch-up policies (pure: schedules and times are passed in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.config.pipeline import Schedule
from monitor.scheduler.plan import MISSED_LATEST, MISSED_NONE, due_slots, next_fire

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def every_minute(catchup: str = "none", **kw: object) -> Schedule:
    return Schedule(every="1m", catchup=catchup, **kw)  # type: ignore[arg-type]


def test_a_running_scheduler_gets_every_fire_time_as_a_run_with_its_interval() -> None:
    slots = due_slots(
        every_minute(), last=T0, active_since=T0 - MIN, first_seen=T0, now=T0 + 2 * MIN + 5 * SEC
    )
    assert [(s.scheduled_for, s.interval_start, s.run) for s in slots] == [
        (T0 + MIN, T0, True),
        (T0 + 2 * MIN, T0 + MIN, True),
    ]
    assert all(s.interval_end == s.scheduled_for for s in slots)


SEC = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("catchup", "runs", "reason"),
    [
        ("all", [1, 2, 3, 4, 5], None),
        ("latest", [4, 5], MISSED_LATEST),
        ("none", [5], MISSED_NONE),
    ],
)
def test_fire_times_missed_while_down_follow_the_catchup_policy(
    catchup: str, runs: list[int], reason: str | None
) -> None:
    # last slot at T0, down until T0+4m30s (fires at +1..+4 missed), now T0+5m
    slots = due_slots(
        every_minute(catchup),
        last=T0,
        active_since=T0 + 4 * MIN + 30 * SEC,
        first_seen=T0,
        now=T0 + 5 * MIN,
    )
    assert [s.scheduled_for for s in slots] == [T0 + k * MIN for k in range(1, 6)]
    assert [k for k, s in enumerate(slots, start=1) if s.run] == runs
    assert {s.reason for s in slots if not s.run} == (
        {reason} if reason and len(runs) < 5 else set()
    )


def test_misfire_grace_counts_a_slightly_late_fire_time_as_on_time() -> None:
    slots = due_slots(
        every_minute("none"),
        last=T0,
        active_since=T0 + MIN + 5 * SEC,
        first_seen=T0,
        now=T0 + MIN + 5 * SEC,
        misfire_grace=timedelta(seconds=10),
    )
    assert [(s.scheduled_for, s.run) for s in slots] == [(T0 + MIN, True)]


def test_a_new_pipeline_without_start_date_starts_when_first_seen() -> None:
    slots = due_slots(
        every_minute("all"), last=None, active_since=T0, first_seen=T0 + 30 * SEC, now=T0 + 2 * MIN
    )
    assert [s.scheduled_for for s in slots] == [T0 + MIN, T0 + 2 * MIN]


def test_start_date_with_catchup_all_runs_every_interval_from_the_start_date() -> None:
    schedule = every_minute("all", start_date=T0)
    slots = due_slots(
        schedule, last=None, active_since=T0 + 10 * MIN, first_seen=T0 + 10 * MIN, now=T0 + 3 * MIN
    )
    # the first interval starts at the start date: [T0, T0+1m) is due at T0+1m
    assert [(s.interval_start, s.scheduled_for, s.run) for s in slots] == [
        (T0, T0 + MIN, True),
        (T0 + MIN, T0 + 2 * MIN, True),
        (T0 + 2 * MIN, T0 + 3 * MIN, True),
    ]


def test_start_date_with_catchup_latest_runs_only_the_newest_interval() -> None:
    schedule = every_minute("latest", start_date=T0)
    slots = due_slots(
        schedule, last=None, active_since=T0 + 3 * MIN + SEC, first_seen=T0, now=T0 + 3 * MIN + SEC
    )
    assert [(s.scheduled_for, s.run) for s in slots] == [
        (T0 + MIN, False),
        (T0 + 2 * MIN, False),
        (T0 + 3 * MIN, True),
    ]


def test_catchup_all_is_written_in_chunks_of_limit() -> None:
    slots = due_slots(
        every_minute("all"),
        last=T0,
        active_since=T0 + 100 * MIN,
        first_seen=T0,
        now=T0 + 100 * MIN,
        limit=10,
    )
    assert [s.scheduled_for for s in slots] == [T0 + k * MIN for k in range(1, 11)]
    assert all(s.run for s in slots)


def test_a_long_gap_with_catchup_latest_records_only_the_newest_slots() -> None:
    slots = due_slots(
        every_minute("latest"),
        last=T0,
        active_since=T0 + 500 * MIN + SEC,
        first_seen=T0,
        now=T0 + 500 * MIN + SEC,
        limit=5,
    )
    assert [s.scheduled_for for s in slots] == [T0 + k * MIN for k in range(495, 501)]
    assert [s.run for s in slots] == [False] * 5 + [True]
    assert slots[0].interval_start == T0 + 494 * MIN


def test_cron_in_a_time_zone_fires_at_local_time_across_dst() -> None:
    schedule = Schedule(cron="30 2 * * *", timezone="Europe/Berlin", catchup="all")
    # 2026-03-29: clocks jump 02:00 -> 03:00 in Berlin; 02:30 does not exist that day
    start = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    slots = due_slots(
        schedule,
        last=start,
        active_since=start,
        first_seen=start,
        now=datetime(2026, 3, 31, 12, 0, tzinfo=UTC),
    )
    local = [s.scheduled_for.astimezone(schedule_zone(schedule)) for s in slots]
    assert [t.day for t in local] == [28, 29, 30, 31]
    assert [t.strftime("%H:%M") for t in local] == ["02:30", "03:30", "02:30", "02:30"]


def schedule_zone(schedule: Schedule):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(schedule.timezone)


def test_next_fire_is_strictly_after() -> None:
    assert next_fire(every_minute(), T0) == T0 + MIN
    assert next_fire(every_minute(), T0 - SEC) == T0
