"""APScheduler 3.11 as a timer only: it wakes the scheduler at each fire time.

The job store is APScheduler's MemoryJobStore, rebuilt from the pipelines'
schedules at start and on every reload; a job only says "pipeline P may be
due now". What is due, and whether it already ran, is computed from the store
(`schedule_slots`), so a missed, doubled or lost wake-up changes nothing:
the scheduler's own pass every `tick` seconds would find the slot anyway.
(Why not APScheduler's SQLAlchemy job store: it runs jobs twice with two
processes, loses in-flight runs on a crash, and drops missed runs —
measured in research/orchestration-anchors.md §2.3.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from zoneinfo import ZoneInfo

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config.pipeline import Schedule
from monitor.pipeline import intervals

log = logging.getLogger(__name__)


def trigger_for(schedule: Schedule) -> BaseTrigger:
    """The APScheduler trigger firing at exactly the fire times `intervals` computes."""
    zone = ZoneInfo(schedule.timezone)
    if schedule.cron is not None:
        return CronTrigger.from_crontab(schedule.cron, timezone=zone)
    assert schedule.every is not None
    anchor = intervals.start_of(schedule) or intervals.fire_epoch()
    return IntervalTrigger(
        seconds=schedule.every / timedelta(seconds=1), start_date=anchor, timezone=zone
    )


class Timer:
    """One APScheduler job per scheduled pipeline, calling `wake(pipeline)`."""

    def __init__(self, wake: Callable[[str], None]) -> None:
        self._wake = wake
        self._scheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": {"type": "threadpool", "max_workers": 2}},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone="UTC",
        )

    def load(self, schedules: Mapping[str, Schedule]) -> None:
        """Replace every job by one per schedule (start and reload)."""
        self._scheduler.remove_all_jobs()
        for name, schedule in schedules.items():
            self._scheduler.add_job(
                self._wake, trigger_for(schedule), args=[name], id=name, name=f"wake {name}"
            )

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def jobs(self) -> dict[str, object]:
        """Pipeline -> next wake-up (for logs and tests)."""
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}
