"""A live view of tasks while a run goes (stderr, so `--json` output stays clean)."""

from __future__ import annotations

import threading
from datetime import datetime

from rich.console import Console

from monitor.pipeline.events import RunInfo, RunState, TaskInfo, TaskReport, TaskState

_STYLE = {
    TaskState.SUCCESS: "green",
    TaskState.FAILED: "red",
    TaskState.RETRYING: "yellow",
    TaskState.UPSTREAM_FAILED: "red",
    TaskState.SKIPPED: "dim",
}


class Progress:
    """Prints one line per task start and finish, and a summary per run."""

    def __init__(self, enabled: bool = True, console: Console | None = None) -> None:
        self.enabled = enabled
        self.console = console or Console(stderr=True, highlight=False)
        self._lock = threading.Lock()

    def _print(self, text: str) -> None:
        if self.enabled:
            with self._lock:
                self.console.print(text)

    def run_started(self, run: RunInfo, at: datetime) -> None:
        interval = f"{run.interval_start:%Y-%m-%d %H:%M} → {run.interval_end:%Y-%m-%d %H:%M}"
        self._print(f"[bold]{run.pipeline}[/] run {run.run_id} ({interval})")

    def task_started(self, task: TaskInfo, at: datetime) -> None:
        retry = f" (attempt {task.attempt})" if task.attempt > 1 else ""
        self._print(f"  [cyan]▶[/] {task.task}{retry}")

    def task_finished(self, task: TaskInfo, report: TaskReport) -> None:
        style = _STYLE.get(report.state, "white")
        seconds = (report.ended_at - report.started_at).total_seconds()
        rows = ""
        if report.rows_in is not None or report.rows_out is not None:
            rows = f" rows in {report.rows_in or 0}, out {report.rows_out or 0}"
            if report.rows_rejected:
                rows += f", rejected {report.rows_rejected}"
        error = f" — {report.error}" if report.error else ""
        self._print(f"  [{style}]■ {task.task} {report.state}[/] {seconds:.2f}s{rows}{error}")

    def run_finished(self, run: RunInfo, state: RunState, at: datetime, error: str | None) -> None:
        style = "green" if state == RunState.SUCCESS else "red"
        self._print(f"[{style}]{run.pipeline} {state}[/]" + (f": {error}" if error else ""))
