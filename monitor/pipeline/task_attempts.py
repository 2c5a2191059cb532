"""One task of a run, through its attempts: each attempt recorded in the store and
told to listeners, failures retried with backoff, a timeout per attempt, and the
output of a success checkpointed to the run's workspace."""

from __future__ import annotations

import logging
import random
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from monitor.config.loader import Pipeline, Project
from monitor.errors import TaskTimeoutError, describe
from monitor.pipeline.engines import Engines
from monitor.pipeline.events import RunListener, TaskInfo, TaskReport, TaskState
from monitor.pipeline.listeners import notify
from monitor.pipeline.retry import backoff_delay, should_retry
from monitor.pipeline.tasks import EXECUTORS, TaskContext, TaskOutput
from monitor.pipeline.workspace import Workspace
from monitor.store.runs import Store
from monitor.store.tables import DeadLetter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failed:
    """How a task ended that did not succeed."""

    state: TaskState  # FAILED, or ABORTED when a shutdown stopped its retries


@dataclass(frozen=True)
class TaskAttempts:
    """Runs the tasks of one run of `pipeline`, each to its success or final failure,
    and records those that do not run."""

    project: Project
    pipeline: Pipeline
    store: Store
    workspace: Workspace
    engines: Engines
    listeners: Sequence[RunListener]
    now: Callable[[], datetime]
    sleep: Callable[[float], object]
    rng: random.Random
    stop_requested: threading.Event

    def run(self, tinfo: TaskInfo, upstream: dict[str, TaskOutput]) -> TaskOutput | Failed:
        """All attempts of one task; `Failed` with the final state when it did not succeed."""
        spec = self.pipeline.spec.tasks[tinfo.task]
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
            notify(self.listeners, "task_started", tinfo, started)
            ctx = TaskContext(
                self.project,
                self.pipeline,
                tinfo.task,
                tinfo.run,
                self.engines.io_context(self.pipeline.name, tinfo, self.store),
                upstream,
                started,
            )
            try:
                output = call_with_timeout(EXECUTORS[spec.type], ctx, spec.timeout, tinfo.task)
                self._record_success(tinfo, output, attempt_id, started)
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
                notify(
                    self.listeners,
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
                    "%s.%s attempt %d failed: %s", self.pipeline.name, tinfo.task, attempt, message
                )
                if not retry:
                    return Failed(state)
                delay = backoff_delay(policy, attempt, self.rng)
                self.sleep(delay)
                if self.stop_requested.is_set():  # shut down while waiting to retry
                    self.store.update_task(
                        tinfo.run.run_id, tinfo.task, state=TaskState.ABORTED, ended_at=self.now()
                    )
                    return Failed(TaskState.ABORTED)

    def record_not_run(self, tinfo: TaskInfo, state: TaskState) -> None:
        """A task that will not run (skipped, upstream failed, aborted by a shutdown)."""
        at = self.now()
        self.store.update_task(tinfo.run.run_id, tinfo.task, state=state, ended_at=at)
        # Listeners hear of tasks that never ran too (lineage: START then ABORT).
        notify(
            self.listeners,
            "task_finished",
            tinfo,
            TaskReport(state=state, started_at=at, ended_at=at),
        )

    def _record_success(
        self, tinfo: TaskInfo, output: TaskOutput, attempt_id: int, started: datetime
    ) -> None:
        """Checkpoint the output, store its dead letters and watermark, close the attempt."""
        run_id = tinfo.run.run_id
        path = self.workspace.save(run_id, tinfo.task, output)
        if output.rejected:
            self.store.add_dead_letters(
                [
                    DeadLetter(
                        pipeline=self.pipeline.name,
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
            self.store.set_watermark(self.pipeline.name, key, value, run_id, self.now())
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
        notify(
            self.listeners,
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


def call_with_timeout(
    func: Callable[[TaskContext], TaskOutput],
    ctx: TaskContext,
    timeout: timedelta | None,
    task: str,
) -> TaskOutput:
    if timeout is None:
        return func(ctx)
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


__all__ = ["Failed", "TaskAttempts", "call_with_timeout"]
