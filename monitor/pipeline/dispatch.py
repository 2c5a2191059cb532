"""The tasks of one run in dependency order: each starts on a thread pool as soon as
its upstream tasks have finished; one whose trigger rule blocks it (or any, once a
shutdown is requested) is recorded as not run, which can decide its downstream."""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from monitor.pipeline.events import RunInfo, TaskInfo, TaskState
from monitor.pipeline.task_attempts import Failed, TaskAttempts
from monitor.pipeline.tasks import TaskOutput
from monitor.pipeline.trigger import blocked_state

Running = dict[Future[TaskOutput | Failed], str]  # a submitted attempt loop -> its task


class Dispatch:
    """One run's tasks: their states and the outputs of those that succeeded."""

    def __init__(
        self,
        attempts: TaskAttempts,
        info: RunInfo,
        task_run_ids: dict[str, str],
        done: dict[str, TaskOutput],
    ) -> None:
        """`done`: the outputs of tasks that already succeeded (a resumed run's checkpoints)."""
        self.attempts = attempts
        self.pipeline = attempts.pipeline
        self.info = info
        self.task_run_ids = task_run_ids
        self.states: dict[str, TaskState] = dict.fromkeys(done, TaskState.SUCCESS)
        self.states.update({t: TaskState.QUEUED for t in self.pipeline.order if t not in done})
        self.outputs = dict(done)

    def run(self, workers: int) -> None:
        """Run every queued task to its end, at most `workers` at a time."""
        with ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix=f"rk-{self.pipeline.name}"
        ) as pool:
            running: Running = {}
            while True:
                self._submit_ready(pool, running)
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = running.pop(future)
                    output = future.result()
                    if isinstance(output, Failed):
                        self.states[task] = output.state
                    else:
                        self.states[task] = TaskState.SUCCESS
                        self.outputs[task] = output

    def _submit_ready(self, pool: ThreadPoolExecutor, running: Running) -> None:
        states = self.states
        progressed = True
        while progressed:  # skipping a task can make its downstream decidable at once
            progressed = False
            for task in self.pipeline.order:
                if states[task] != TaskState.QUEUED:
                    continue
                deps = self.pipeline.upstream[task]
                if any(not states[d].finished for d in deps):
                    continue
                spec = self.pipeline.spec.tasks[task]
                blocked = blocked_state(spec.trigger_rule, [states[d] for d in deps])
                if self.attempts.stop_requested.is_set():
                    blocked = TaskState.ABORTED
                if blocked is not None:
                    states[task] = blocked
                    self.attempts.record_not_run(self._task_info(task, spec.type, 0), blocked)
                    progressed = True
                    continue
                states[task] = TaskState.RUNNING
                upstream = {d: self.outputs[d] for d in deps if d in self.outputs}
                tinfo = self._task_info(task, spec.type, 1)
                running[pool.submit(self.attempts.run, tinfo, upstream)] = task

    def _task_info(self, task: str, kind: str, attempt: int) -> TaskInfo:
        deps = tuple(self.pipeline.upstream[task])
        return TaskInfo(self.info, task, kind, self.task_run_ids[task], attempt, deps)


__all__ = ["Dispatch"]
