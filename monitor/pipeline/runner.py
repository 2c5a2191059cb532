"""Run one pipeline: tasks in dependency order, independent ones in parallel.

The runner records everything in the store as it happens (run, task runs,
attempts, dead letters, watermarks), checkpoints each task's output to the
run's workspace (Parquet) so a failed run can resume, and tells listeners.

Here: the entry points and one run from start to end. The parts: `dispatch`
(which task runs when), `task_attempts` (one task: attempts, retries, timeout,
checkpoint), `run_record` (the run's row and heartbeat), `listeners`.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from monitor.config.loader import Pipeline, Project
from monitor.errors import UnknownPipelineError, UsageError
from monitor.pipeline import intervals
from monitor.pipeline.dispatch import Dispatch
from monitor.pipeline.engines import Engines
from monitor.pipeline.events import RunInfo, RunListener, RunState, TaskState
from monitor.pipeline.listeners import notify
from monitor.pipeline.run_record import (
    Heartbeat,
    RunResult,
    new_run_rows,
    record_run_finished,
    record_run_started,
    run_outcome,
)
from monitor.pipeline.task_attempts import TaskAttempts
from monitor.pipeline.tasks import TaskOutput
from monitor.pipeline.workspace import Workspace
from monitor.store.runs import Store
from monitor.store.tables import PipelineRun, TaskRun


def utc_now() -> datetime:
    return datetime.now(UTC)


class Runner:
    """Runs pipelines of one project against one store."""

    def __init__(
        self,
        project: Project,
        store: Store,
        *,
        listeners: Sequence[RunListener] = (),
        now: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] | None = None,
        rng: random.Random | None = None,
        heartbeat_every: float = 10.0,
    ) -> None:
        self.project = project
        self.store = store
        self.listeners = list(listeners)
        self.now = now
        self.stop_requested = threading.Event()  # set by a graceful shutdown
        # Backoff waits end early on shutdown unless a test passes its own sleep.
        self.sleep = sleep or self.stop_requested.wait
        self.rng = rng or random.Random()
        self.heartbeat_every = heartbeat_every
        self.workspace = Workspace(project.spec.defaults.workspace)

    # -- entry points -----------------------------------------------------------

    def run(
        self,
        pipeline_name: str,
        *,
        logical_date: datetime | None = None,
        trigger: str = "manual",
        scheduled_for: datetime | None = None,
        run_id: str | None = None,
        interval: tuple[datetime, datetime] | None = None,
    ) -> RunResult:
        """Create a run for one data interval and execute it to the end."""
        row, tasks = self.prepare(
            pipeline_name,
            logical_date=logical_date,
            trigger=trigger,
            scheduled_for=scheduled_for,
            run_id=run_id,
            interval=interval,
        )
        self.store.create_run(row, tasks)
        pipeline = self.pipeline(pipeline_name)
        return self._execute(pipeline, row, {t.task: t.task_run_id for t in tasks}, {})

    def prepare(
        self,
        pipeline_name: str,
        *,
        logical_date: datetime | None = None,
        trigger: str = "manual",
        scheduled_for: datetime | None = None,
        run_id: str | None = None,
        interval: tuple[datetime, datetime] | None = None,
    ) -> tuple[PipelineRun, list[TaskRun]]:
        """The rows of a new queued run (not stored): the scheduler stores them itself,
        in the same transaction as its schedule slot, and `start`s the run later."""
        pipeline = self.pipeline(pipeline_name)
        interval = interval or self.interval(pipeline, logical_date)
        return new_run_rows(
            pipeline,
            interval,
            now=self.now(),
            trigger=trigger,
            scheduled_for=scheduled_for,
            run_id=run_id,
        )

    def resume(self, run_id: str) -> RunResult:
        """Run again only the tasks of `run_id` that did not succeed, reusing checkpoints."""
        view = self.store.get_run(run_id)
        if view is None:
            raise UsageError(f"no run with id {run_id!r}")
        if view.run.state in (RunState.SUCCESS, RunState.RUNNING, RunState.QUEUED):
            raise UsageError(
                f"run {run_id} is {view.run.state}; only failed or aborted runs resume"
            )
        return self.start(run_id, trigger="resume")

    def start(self, run_id: str, *, trigger: str | None = None) -> RunResult:
        """Execute a stored run: a queued one from the start, any other from its checkpoints
        (tasks that succeeded keep their output; the rest run again)."""
        view = self.store.get_run(run_id)
        if view is None:
            raise UsageError(f"no run with id {run_id!r}")
        pipeline = self.pipeline(view.run.pipeline)
        done: dict[str, TaskOutput] = {}
        for task in view.tasks:
            if task.state == TaskState.SUCCESS:
                done[task.task] = self.workspace.load(run_id, task.task, task)
        for task in view.tasks:
            if task.task not in done and task.state != TaskState.QUEUED:
                self.store.update_task(
                    run_id, task.task, state=TaskState.QUEUED, error=None, error_type=None
                )
        ids = {t.task: t.task_run_id for t in view.tasks}
        return self._execute(pipeline, view.run, ids, done, trigger=trigger)

    def execute(
        self, row: PipelineRun, task_run_ids: dict[str, str], started: datetime | None = None
    ) -> RunResult:
        """Execute a stored queued run whose rows the caller holds (the scheduler, which
        passes the time it started the run: when it claimed it for a free worker)."""
        return self._execute(self.pipeline(row.pipeline), row, task_run_ids, {}, started=started)

    def pipeline(self, name: str) -> Pipeline:
        try:
            return self.project.pipelines[name]
        except KeyError:
            raise UnknownPipelineError(name, list(self.project.pipelines)) from None

    def interval(
        self, pipeline: Pipeline, logical_date: datetime | None
    ) -> tuple[datetime, datetime]:
        schedule = pipeline.spec.schedule
        if schedule is None:
            at = logical_date or self.now()
            return at, at
        if logical_date is not None:
            return intervals.interval_for(schedule, logical_date)
        return intervals.latest_complete_interval(schedule, self.now())

    # -- one run, start to end----------------------------------------------------------

    def _execute(
        self,
        pipeline: Pipeline,
        row: PipelineRun,
        task_run_ids: dict[str, str],
        done: dict[str, TaskOutput],
        trigger: str | None = None,
        started: datetime | None = None,
    ) -> RunResult:
        info = RunInfo(
            run_id=row.id,
            pipeline=pipeline.name,
            logical_date=row.logical_date,
            interval_start=row.interval_start,
            interval_end=row.interval_end,
            trigger=trigger or row.trigger,
            description=pipeline.spec.description,
        )
        started = started or self.now()
        record_run_started(self.store, row.id, started)
        notify(self.listeners, "run_started", info, started)
        engines = Engines(self.project)
        attempts = TaskAttempts(
            project=self.project,
            pipeline=pipeline,
            store=self.store,
            workspace=self.workspace,
            engines=engines,
            listeners=self.listeners,
            now=self.now,
            sleep=self.sleep,
            rng=self.rng,
            stop_requested=self.stop_requested,
        )
        dispatch = Dispatch(attempts, info, task_run_ids, done)
        heartbeat = Heartbeat(self.store, row.id, self.now, self.heartbeat_every)
        try:
            dispatch.run(pipeline.spec.max_workers or self.project.spec.defaults.max_workers)
        finally:
            heartbeat.stop()
            engines.dispose()
        return self._finish(pipeline, info, dispatch.states, dispatch.outputs)

    def _finish(
        self,
        pipeline: Pipeline,
        info: RunInfo,
        states: dict[str, TaskState],
        outputs: dict[str, TaskOutput],
    ) -> RunResult:
        state, error = run_outcome(self.store, info.run_id, states)
        ended = self.now()
        record_run_finished(
            self.store, pipeline, info.run_id, outputs, state=state, error=error, ended=ended
        )
        notify(self.listeners, "run_finished", info, state, ended, error)
        return RunResult(info.run_id, pipeline.name, state, dict(states), error, outputs)


__all__ = ["RunResult", "Runner", "utc_now"]
