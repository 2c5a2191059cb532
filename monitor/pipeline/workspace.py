"""A run's workspace: each task's output as Parquet, so a failed run resumes."""

from __future__ import annotations

import shutil
import time
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.pipeline.tasks.base import TaskOutput

if TYPE_CHECKING:
    from monitor.store.tables import TaskRun


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, run_id: str, task: str) -> Path:
        return self.root / run_id / f"{task}.parquet"

    def save(self, run_id: str, task: str, output: TaskOutput) -> Path | None:
        if output.frame is None:
            return None
        path = self.path(run_id, task)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        output.frame.to_parquet(tmp, index=False)
        tmp.replace(path)  # atomic: a crash never leaves a half-written checkpoint
        return path

    def load(self, run_id: str, task: str, row: TaskRun) -> TaskOutput:
        import pandas as pd

        path = self.path(run_id, task)
        frame = pd.read_parquet(path) if path.is_file() else None
        return TaskOutput(frame=frame, rows_in=row.rows_in, rows_out=row.rows_out)

    def clean(
        self, older_than_seconds: float, now: float | None = None, keep: Collection[str] = ()
    ) -> list[Path]:
        """Delete run workspaces untouched for longer than the retention (except the runs
        in `keep`, which are running); returns them."""
        if not self.root.is_dir():
            return []
        limit = (now or time.time()) - older_than_seconds
        removed = []
        for run_dir in self.root.iterdir():
            if run_dir.name in keep:
                continue
            if run_dir.is_dir() and run_dir.stat().st_mtime < limit:
                shutil.rmtree(run_dir, ignore_errors=True)
                removed.append(run_dir)
        return removed
