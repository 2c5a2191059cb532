"""Checks files with a `schedule:`, run by `serve` on their own fire times.

For datasets no pipeline writes (a source database's orders: is it fresh, is its
volume normal?). Ticked on the active scheduler's passes only, so two `serve`
processes never run them twice. A file is due when its newest fire time is later
than its newest stored result of a run outside pipelines (`riverkeeper check`
counts too), so a restart neither repeats nor loses a fire time; missed fire times
are not caught up one by one: the next check covers them. The checks run on one
background thread, one dataset at a time, so a pass never waits for them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from monitor.errors import describe
from monitor.pipeline.intervals import previous_fire
from monitor.quality.service import check_dataset, dataset_checks
from monitor.store.tables import CheckResult as CheckRow

if TYPE_CHECKING:
    from monitor.config.loader import Project
    from monitor.config.pipeline import Schedule
    from monitor.store.runs import Store

log = logging.getLogger(__name__)


class ScheduledChecks:
    """A hosted part of `serve`: `tick(now)` starts the checks files that are due."""

    def __init__(self, project: Callable[[], Project], store: Store) -> None:
        self._project = project
        self._store = store
        self._last: dict[str, datetime | None] = {}  # dataset -> newest result, once read
        self._running: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="scheduled-checks")

    def due(self, now: datetime) -> list[str]:
        """The scheduled datasets whose newest fire time has no result yet."""
        out = []
        for dataset, dc in dataset_checks(self._project()).items():
            schedule = dc.spec.schedule
            if schedule is None or dataset in self._running:
                continue
            if dataset not in self._last:
                self._last[dataset] = self._newest_result(dataset)
            last = self._last[dataset]
            if last is None or _fire_before(schedule, now) > last:
                out.append(dataset)
        return out

    def tick(self, now: datetime) -> list[str]:
        """Start the due checks (in the background); returns their datasets."""
        with self._lock:
            started = self.due(now)
            for dataset in started:
                self._running[dataset] = self._pool.submit(self._check, dataset, now)
        return started

    def _check(self, dataset: str, now: datetime) -> None:
        try:
            results = check_dataset(self._project(), dataset, self._store, now)
        except Exception as exc:  # noqa: BLE001 - a broken source never stops serve
            log.warning("scheduled checks of %s not run: %s", dataset, describe(exc))
        else:
            failing = [r.name for r in results if r.outcome in ("fail", "error")]
            log.info(
                "scheduled checks of %s: %d run%s",
                dataset,
                len(results),
                f", failing: {', '.join(failing)}" if failing else "",
            )
        finally:
            with self._lock:
                self._last[dataset] = now  # tried: the next fire time tries again
                del self._running[dataset]

    def _newest_result(self, dataset: str) -> datetime | None:
        t = CheckRow.__table__
        stmt = sa.select(sa.func.max(t.c.executed_at)).where(
            t.c.dataset == dataset, t.c.run_id.is_(None)
        )
        with self._store.engine.connect() as conn:
            newest: datetime | None = conn.execute(stmt).scalar()
        return newest

    def wait(self) -> None:
        """Until the checks started so far have finished (tests, shutdown)."""
        with self._lock:
            running = list(self._running.values())
        for future in running:
            future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _fire_before(schedule: Schedule, now: datetime) -> datetime:
    return previous_fire(schedule, now)
