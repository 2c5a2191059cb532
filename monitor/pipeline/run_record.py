"""The run's row in the store: created queued, marked running, kept alive by a
heartbeat while it goes, closed with its outcome and row counts."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from monitor.config.loader import Pipeline
from monitor.pipeline.events import RunState, TaskState
from monitor.pipeline.tasks import TaskOutput
from monitor.pipeline.uuid7 import uuid7
from monitor.store.runs import Store
from monitor.store.tables import PipelineRun, TaskRun

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    run_id: str
    pipeline: str
    state: RunState
    tasks: dict[str, TaskState]
    error: str | None = None
    outputs: dict[str, TaskOutput] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.state == RunState.SUCCESS


def new_run_rows(
    pipeline: Pipeline,
    interval: tuple[datetime, datetime],
    *,
    now: datetime,
    trigger: str,
    scheduled_for: datetime | None,
    run_id: str | None,
) -> tuple[PipelineRun, list[TaskRun]]:
    """The rows of a new queued run and of its tasks (not stored)."""
    start, end = interval
    run_id = run_id or uuid7(now)
    row = PipelineRun(
        id=run_id,
        pipeline=pipeline.name,
        logical_date=start,
        interval_start=start,
        interval_end=end,
        state=RunState.QUEUED,
        trigger=trigger,
        scheduled_for=scheduled_for,
        created_at=now,
        owner=_owner(),
        rows_in=0,
        rows_out=0,
        rows_rejected=0,
    )
    tasks = [
        TaskRun(
            run_id=run_id,
            task=t,
            kind=pipeline.spec.tasks[t].type,
            task_run_id=uuid7(now),
            state=TaskState.QUEUED,
            attempts=0,
            rows_rejected=0,
            rows_filtered=0,
        )
        for t in pipeline.order
    ]
    return row, tasks


def record_run_started(store: Store, run_id: str, started: datetime) -> None:
    store.update_run(
        run_id,
        state=RunState.RUNNING,
        started_at=started,
        ended_at=None,
        error=None,
        heartbeat_at=started,
    )


def run_outcome(
    store: Store, run_id: str, states: dict[str, TaskState]
) -> tuple[RunState, str | None]:
    """The run's final state and error from its tasks' states: aborted before failed;
    a failed run names its first failed task that has an error message."""
    failed = [t for t, s in states.items() if s in (TaskState.FAILED, TaskState.UPSTREAM_FAILED)]
    aborted = [t for t, s in states.items() if s == TaskState.ABORTED]
    if aborted:
        return RunState.ABORTED, f"stopped before {', '.join(aborted)} ran"
    if failed:
        view = store.get_run(run_id)
        errors = {t.task: t.error for t in view.tasks} if view else {}
        first = next((t for t in failed if errors.get(t)), failed[0])
        return RunState.FAILED, f"{first}: {errors.get(first) or 'failed'}"
    return RunState.SUCCESS, None


def record_run_finished(
    store: Store,
    pipeline: Pipeline,
    run_id: str,
    outputs: dict[str, TaskOutput],
    *,
    state: RunState,
    error: str | None,
    ended: datetime,
) -> None:
    """Close the run's row: its outcome, rows read by extracts, written by loads, rejected."""
    extracted = [outputs[t] for t in outputs if pipeline.spec.tasks[t].type == "extract"]
    loaded = [outputs[t] for t in outputs if pipeline.spec.tasks[t].type == "load"]
    store.update_run(
        run_id,
        state=state,
        ended_at=ended,
        error=error,
        rows_in=sum(o.rows_in or 0 for o in extracted),
        rows_out=sum(o.rows_out or 0 for o in loaded),
        rows_rejected=sum(o.rows_rejected for o in outputs.values()),
    )


class Heartbeat:
    """Refreshes the run's lease while it goes, so a crash is detectable (orphaned runs)."""

    def __init__(
        self, store: Store, run_id: str, now: Callable[[], datetime], every: float
    ) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, args=(store, run_id, now, every), name="rk-heartbeat", daemon=True
        )
        self._thread.start()

    def _beat(self, store: Store, run_id: str, now: Callable[[], datetime], every: float) -> None:
        while not self._stop.wait(every):
            try:
                store.heartbeat(run_id, now())
            except Exception:
                log.exception("heartbeat for run %s failed", run_id)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


__all__ = [
    "Heartbeat",
    "RunResult",
    "new_run_rows",
    "record_run_finished",
    "record_run_started",
    "run_outcome",
]
