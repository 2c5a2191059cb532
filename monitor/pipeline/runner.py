"""Run one pipeline: tasks in dependency order, independent ones in parallel.

The runner records everything in the store as it happens (run, task runs,
attempts, dead letters, watermarks), checkpoints each task's output to the
run's workspace (Parquet) so a failed run can resume, and tells listeners.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.config.loader import Pipeline, Project
from monitor.errors import UnknownPipelineError, UsageError, describe
from monitor.pipeline import intervals
from monitor.pipeline.engines import Engines
from monitor.pipeline.events import RunInfo, RunListener, RunState, TaskInfo, TaskReport, TaskState
from monitor.pipeline.retry import backoff_delay, should_retry
from monitor.pipeline.tasks import EXECUTORS, TaskContext, TaskOutput
from monitor.pipeline.trigger import blocked_state
from monitor.pipeline.uuid7 import uuid7
from monitor.pipeline.workspace import Workspace
from monitor.store.runs import Store
from monitor.store.tables import DeadLetter, PipelineRun, TaskRun

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Failed:
    state: TaskState  # FAILED, or ABORTED when a shutdown stopped its retries


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
        start, end = interval or self.interval(pipeline, logical_date)
        now = self.now()
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

    # -- the run loop --------------------------------------------------------------

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
        self.store.update_run(
            row.id,
            state=RunState.RUNNING,
            started_at=started,
            ended_at=None,
            error=None,
            heartbeat_at=started,
        )
        self._notify("run_started", info, started)
        states: dict[str, TaskState] = dict.fromkeys(done, TaskState.SUCCESS)
        states.update({t: TaskState.QUEUED for t in pipeline.order if t not in done})
        outputs = dict(done)
        engines = Engines(self.project)
        heartbeat = _Heartbeat(self.store, row.id, self.now, self.heartbeat_every)
        workers = pipeline.spec.max_workers or self.project.spec.defaults.max_workers
        try:
            with ThreadPoolExecutor(
                max_workers=workers, thread_name_prefix=f"rk-{pipeline.name}"
            ) as pool:
                running: dict[Future[TaskOutput | _Failed], str] = {}
                while True:
                    self._schedule_ready(
                        pipeline, info, states, outputs, running, pool, engines, task_run_ids
                    )
                    if not running:
                        break
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        task = running.pop(future)
                        output = future.result()
                        if isinstance(output, _Failed):
                            states[task] = output.state
                        else:
                            states[task] = TaskState.SUCCESS
                            outputs[task] = output
        finally:
            heartbeat.stop()
            engines.dispose()
        return self._finish(pipeline, info, states, outputs)

    def _schedule_ready(
        self,
        pipeline: Pipeline,
        info: RunInfo,
        states: dict[str, TaskState],
        outputs: dict[str, TaskOutput],
        running: dict[Future[TaskOutput | _Failed], str],
        pool: ThreadPoolExecutor,
        engines: Engines,
        task_run_ids: dict[str, str],
    ) -> None:
        progressed = True
        while progressed:  # skipping a task can make its downstream decidable at once
            progressed = False
            for task in pipeline.order:
                if states[task] != TaskState.QUEUED:
                    continue
                deps = pipeline.upstream[task]
                if any(not states[d].finished for d in deps):
                    continue
                spec = pipeline.spec.tasks[task]
                blocked = blocked_state(spec.trigger_rule, [states[d] for d in deps])
                if self.stop_requested.is_set():
                    blocked = TaskState.ABORTED
                if blocked is not None:
                    at = self.now()
                    states[task] = blocked
                    self.store.update_task(info.run_id, task, state=blocked, ended_at=at)
                    # Listeners hear of tasks that never ran too (lineage: START then ABORT).
                    tinfo = TaskInfo(info, task, spec.type, task_run_ids[task], 0, tuple(deps))
                    report = TaskReport(state=blocked, started_at=at, ended_at=at)
                    self._notify("task_finished", tinfo, report)
                    progressed = True
                    continue
                states[task] = TaskState.RUNNING
                upstream = {d: outputs[d] for d in deps if d in outputs}
                tinfo = TaskInfo(info, task, spec.type, task_run_ids[task], 1, tuple(deps))
                running[pool.submit(self._run_task, pipeline, tinfo, upstream, engines)] = task

    def _run_task(
        self, pipeline: Pipeline, tinfo: TaskInfo, upstream: dict[str, TaskOutput], engines: Engines
    ) -> TaskOutput | _Failed:
        """All attempts of one task; `_Failed` with the final state when it did not succeed."""
        spec = pipeline.spec.tasks[tinfo.task]
        policy = spec.retry
        delay = 0.0
        attempt = 0
        while True:
            attempt += 1
            tinfo = TaskInfo(
                tinfo.run, tinfo.task, tinfo.kind, tinfo.task_run_id, attempt, tinfo.upstream
            )
            started = self.now()
            attempt_id = self.store.start_attempt(
                tinfo.run.run_id, tinfo.task, attempt, started, delay
            )
            self._notify("task_started", tinfo, started)
            ctx = TaskContext(
                self.project,
                pipeline,
                tinfo.task,
                tinfo.run,
                engines.io_context(pipeline.name, tinfo, self.store),
                upstream,
                started,
            )
            try:
                output = _call_with_timeout(EXECUTORS[spec.type], ctx, spec.timeout, tinfo.task)
                self._record_success(pipeline, tinfo, output, attempt_id, started)
                return output
            except Exception as exc:  # noqa: BLE001 - user code may raise anything; recorded
                ended = self.now()
                message = describe(exc)
                retry = attempt <= policy.retries and should_retry(exc, policy.retry_on)
                if retry and self.stop_requested.is_set():
                    retry, state = False, TaskState.ABORTED  # resumable after the shutdown
                else:
                    state = TaskState.RETRYING if retry else TaskState.FAILED
                self.store.finish_attempt(attempt_id, state, ended, message)
                self.store.update_task(
                    tinfo.run.run_id,
                    tinfo.task,
                    state=state,
                    error=message,
                    error_type=type(exc).__name__,
                    ended_at=None if retry else ended,
                )
                self._notify(
                    "task_finished",
                    tinfo,
                    TaskReport(
                        state=state,
                        started_at=started,
                        ended_at=ended,
                        error=message,
                        error_type=type(exc).__name__,
                        stack_trace=traceback.format_exc(limit=20),
                    ),
                )
                log.warning(
                    "%s.%s attempt %d failed: %s", pipeline.name, tinfo.task, attempt, message
                )
                if not retry:
                    return _Failed(state)
                delay = backoff_delay(policy, attempt, self.rng)
                self.sleep(delay)
                if self.stop_requested.is_set():  # shut down while waiting to retry
                    self.store.update_task(
                        tinfo.run.run_id, tinfo.task, state=TaskState.ABORTED, ended_at=self.now()
                    )
                    return _Failed(TaskState.ABORTED)

    def _record_success(
        self,
        pipeline: Pipeline,
        tinfo: TaskInfo,
        output: TaskOutput,
        attempt_id: int,
        started: datetime,
    ) -> None:
        run_id = tinfo.run.run_id
        path = self.workspace.save(run_id, tinfo.task, output)
        if output.rejected:
            self.store.add_dead_letters(
                [
                    DeadLetter(
                        pipeline=pipeline.name,
                        run_id=run_id,
                        task=tinfo.task,
                        dataset=output.inputs[0].key if output.inputs else "",
                        reason=r.reason,
                        raw=r.raw,
                        location=r.location,
                        status="waiting",
                        created_at=started,
                    )
                    for r in output.rejected
                ]
            )
        if output.watermark is not None:
            key, value = output.watermark
            self.store.set_watermark(pipeline.name, key, value, run_id, self.now())
        ended = self.now()
        self.store.finish_attempt(attempt_id, TaskState.SUCCESS, ended, None)
        self.store.update_task(
            run_id,
            tinfo.task,
            state=TaskState.SUCCESS,
            ended_at=ended,
            error=None,
            error_type=None,
            rows_in=output.rows_in,
            rows_out=output.rows_out,
            rows_rejected=output.rows_rejected,
            rows_filtered=output.rows_filtered,
            output_path=str(path) if path else None,
        )
        self._notify(
            "task_finished",
            tinfo,
            TaskReport(
                state=TaskState.SUCCESS,
                started_at=started,
                ended_at=ended,
                inputs=output.inputs,
                outputs=output.outputs,
                rows_in=output.rows_in,
                rows_out=output.rows_out,
                rows_rejected=output.rows_rejected,
                rows_filtered=output.rows_filtered,
                column_lineage=output.column_lineage,
                sql=output.sql,
                checks=tuple(output.checks),
            ),
        )

    def _finish(
        self,
        pipeline: Pipeline,
        info: RunInfo,
        states: dict[str, TaskState],
        outputs: dict[str, TaskOutput],
    ) -> RunResult:
        failed = [
            t for t, s in states.items() if s in (TaskState.FAILED, TaskState.UPSTREAM_FAILED)
        ]
        aborted = [t for t, s in states.items() if s == TaskState.ABORTED]
        if aborted:
            state, error = RunState.ABORTED, f"stopped before {', '.join(aborted)} ran"
        elif failed:
            view = self.store.get_run(info.run_id)
            errors = {t.task: t.error for t in view.tasks} if view else {}
            first = next((t for t in failed if errors.get(t)), failed[0])
            state, error = RunState.FAILED, f"{first}: {errors.get(first) or 'failed'}"
        else:
            state, error = RunState.SUCCESS, None
        ended = self.now()
        extracted = [outputs[t] for t in outputs if pipeline.spec.tasks[t].type == "extract"]
        loaded = [outputs[t] for t in outputs if pipeline.spec.tasks[t].type == "load"]
        self.store.update_run(
            info.run_id,
            state=state,
            ended_at=ended,
            error=error,
            rows_in=sum(o.rows_in or 0 for o in extracted),
            rows_out=sum(o.rows_out or 0 for o in loaded),
            rows_rejected=sum(o.rows_rejected for o in outputs.values()),
        )
        self._notify("run_finished", info, state, ended, error)
        return RunResult(info.run_id, pipeline.name, state, dict(states), error, outputs)

    def _notify(self, method: str, *args: Any) -> None:
        for listener in self.listeners:
            try:
                getattr(listener, method)(*args)
            except Exception:
                log.exception(
                    "run listener %s.%s failed (ignored)", type(listener).__name__, method
                )


def _call_with_timeout(
    func: Callable[[TaskContext], TaskOutput],
    ctx: TaskContext,
    timeout: timedelta | None,
    task: str,
) -> TaskOutput:
    if timeout is None:
        return func(ctx)
    from monitor.errors import TaskTimeoutError

    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = func(ctx)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    # A Python thread cannot be killed: on timeout the attempt is failed and its
    # late result is dropped (loads are idempotent, so a retry is safe).
    thread = threading.Thread(target=target, name=f"rk-task-{task}", daemon=True)
    thread.start()
    thread.join(timeout.total_seconds())
    if thread.is_alive():
        raise TaskTimeoutError(task, timeout.total_seconds())
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


class _Heartbeat:
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


__all__ = ["RunResult", "Runner", "utc_now"]
