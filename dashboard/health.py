"""Health verdicts from store rows (pure): freshness against the schedule, problems first.

A pipeline's staleness window is two schedule periods: it is stale once a
whole scheduled run has been missed (no successful run ended within the
window). The period is the `every` interval, or the gap between the next two
fire times of its cron expression.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

_DURATION: TypeAdapter[timedelta] = TypeAdapter(timedelta)
WINDOW_PERIODS = 2
LEVELS = ("critical", "warning", "ok", "unknown")  # problems first


def schedule_period(schedule: Mapping[str, Any] | None, now: datetime) -> timedelta | None:
    """The time between two scheduled runs, or None for an unscheduled pipeline."""
    if not schedule:
        return None
    every = schedule.get("every")
    if every is not None:
        if isinstance(every, timedelta):
            return every
        parsed: timedelta = _DURATION.validate_python(every)
        return parsed
    cron = schedule.get("cron")
    if not cron:
        return None
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger.from_crontab(cron, timezone=schedule.get("timezone") or "UTC")
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first + timedelta(microseconds=1)) if first else None
    if first is None or second is None:
        return None
    period: timedelta = second - first
    return period


def staleness_window(period: timedelta | None) -> timedelta | None:
    return None if period is None else period * WINDOW_PERIODS


def freshness(
    last_success: datetime | None, window: timedelta | None, now: datetime
) -> tuple[str, timedelta | None]:
    """('fresh' | 'stale' | 'never' | 'unscheduled', age of the newest success)."""
    if last_success is None:
        return ("never" if window is not None else "unscheduled"), None
    age = now - last_success
    if window is None:
        return "unscheduled", age
    return ("fresh" if age <= window else "stale"), age


@dataclass
class PipelineHealth:
    pipeline: str
    level: str  # critical | warning | ok | unknown
    problems: list[str] = field(default_factory=list)


def pipeline_health(
    pipeline: str,
    last_state: str | None,
    fresh: str,
    failing_checks: int,
    warning_checks: int,
    firing: Iterable[str],  # severities of firing alerts
    pending_alerts: int = 0,
) -> PipelineHealth:
    problems: list[str] = []
    critical = False
    if last_state == "failed":
        problems.append("last run failed")
        critical = True
    if fresh == "stale":
        problems.append("stale")
        critical = True
    if failing_checks:
        problems.append(f"{failing_checks} failing check{'s' if failing_checks != 1 else ''}")
        critical = True
    severities = list(firing)
    if severities:
        problems.append(f"{len(severities)} firing alert{'s' if len(severities) != 1 else ''}")
        critical = critical or any(s in ("critical", "error", "page") for s in severities)
    warning = bool(severities) or warning_checks > 0 or pending_alerts > 0 or fresh == "never"
    if warning_checks:
        problems.append(f"{warning_checks} check warning{'s' if warning_checks != 1 else ''}")
    if fresh == "never":
        problems.append("no successful run yet")
    if pending_alerts:
        problems.append(f"{pending_alerts} pending alert{'s' if pending_alerts != 1 else ''}")
    if critical:
        level = "critical"
    elif warning:
        level = "warning"
    elif last_state is None:
        level = "unknown"
    else:
        level = "ok"
    return PipelineHealth(pipeline, level, problems)


def overall(levels: Iterable[str]) -> str:
    """The worst level of all pipelines ('ok' when there are none)."""
    found = set(levels)
    for level in ("critical", "warning"):
        if level in found:
            return level
    return "ok"


def level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)
