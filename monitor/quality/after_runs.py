"""A dataset's `config/checks/*.yaml` checks, run after each pipeline run that writes it.

Like `dbt build` testing a model right after building it: the checks see what the run
just wrote, and their results carry the run's pipeline and run id (the dashboard shows
them with that pipeline). They run on one background thread, so a run never waits for
them and never fails because of them; `close()` waits for the queue to empty.
A checks file opts out with `after_pipeline_runs: false`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from checks import CheckResult
from monitor.errors import RiverkeeperError, describe
from monitor.pipeline.events import DatasetRef, RunInfo, RunState, TaskInfo, TaskReport, TaskState
from monitor.quality.service import check_dataset, dataset_checks

if TYPE_CHECKING:
    from monitor.config.loader import Project
    from monitor.store.runs import Store

log = logging.getLogger(__name__)
_NAMED = ("error", "fail", "warn")  # outcomes whose checks the summary names


@dataclass(frozen=True)
class ChecksRun:
    """The checks of one dataset after one pipeline run: results, or why there are none."""

    pipeline: str
    run_id: str
    dataset: str
    results: tuple[CheckResult, ...] = ()
    error: str | None = None

    def summary(self) -> str:
        if self.error is not None:
            return f"checks {self.dataset} after {self.pipeline}: not run: {self.error}"
        names: dict[str, list[str]] = {}
        for r in self.results:
            names.setdefault(r.outcome, []).append(r.name)
        told = ", ".join(
            f"{len(found)} {outcome}" + (f" ({', '.join(found)})" if outcome in _NAMED else "")
            for outcome, found in sorted(names.items())
        )
        return f"checks {self.dataset} after {self.pipeline}: {told}"


def written_dataset(ref: DatasetRef, datasets: list[str]) -> str | None:
    """Which of `datasets` (`<connection>.<relation>`) a task output is, if any."""
    for dataset in datasets:
        connection, _, relation = dataset.partition(".")
        if ref.connection != connection or not ref.table:
            continue
        if relation in (ref.table, ref.name) or ref.name.endswith("." + relation):
            return dataset
    return None


class ChecksAfterRuns:
    """A RunListener: notes the datasets a run's successful tasks wrote, and when the run
    ends queues their checks files. `project` is read at each run's end (serve reloads)."""

    def __init__(
        self,
        project: Callable[[], Project],
        store: Store,
        *,
        on_done: Callable[[ChecksRun], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._project = project
        self._store = store
        self._on_done = on_done  # hears of each dataset's checks (nothing is kept here)
        self._clock = clock
        self._written: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="checks-after-run")
        self._pending: set[Future[None]] = set()

    def _datasets(self) -> list[str]:
        files = dataset_checks(self._project())
        return [name for name, dc in files.items() if dc.spec.after_pipeline_runs]

    def run_started(self, run: RunInfo, at: datetime) -> None:
        return None

    def task_started(self, task: TaskInfo, at: datetime) -> None:
        return None

    def task_finished(self, task: TaskInfo, report: TaskReport) -> None:
        if report.state != TaskState.SUCCESS or not report.outputs:
            return
        try:
            datasets = self._datasets()
        except RiverkeeperError as exc:  # a checks file broken since start: runs go on
            log.warning("checks files not read: %s", exc)
            return
        found = {d for ref in report.outputs if (d := written_dataset(ref, datasets))}
        if found:
            with self._lock:
                self._written.setdefault(task.run.run_id, set()).update(found)

    def run_finished(self, run: RunInfo, state: RunState, at: datetime, error: str | None) -> None:
        with self._lock:
            for dataset in sorted(self._written.pop(run.run_id, set())):
                future = self._pool.submit(self._check, run, dataset)
                self._pending.add(future)
                future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _check(self, run: RunInfo, dataset: str) -> None:
        try:
            results = check_dataset(
                self._project(),
                dataset,
                self._store,
                self._clock(),
                pipeline=run.pipeline,
                run_id=run.run_id,
            )
        except Exception as exc:  # noqa: BLE001 - e.g. the warehouse went away: say so, go on
            message = str(exc) if isinstance(exc, RiverkeeperError) else describe(exc)
            log.warning("checks of %s after %s not run: %s", dataset, run.pipeline, message)
            done = ChecksRun(run.pipeline, run.run_id, dataset, error=message)
        else:
            done = ChecksRun(run.pipeline, run.run_id, dataset, tuple(results))
            log.info("%s", done.summary())
        if self._on_done is not None:
            try:
                self._on_done(done)
            except Exception:  # whoever listens never breaks the checks
                log.exception("on_done failed (ignored)")

    def drain(self) -> None:
        """Wait for every check queued so far."""
        with self._lock:
            pending = list(self._pending)
        wait(pending)

    def close(self) -> None:
        self.drain()
        self._pool.shutdown(wait=True)
