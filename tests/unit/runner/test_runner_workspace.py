"""Run workspaces: atomic checkpoints, and cleaning by retention (time passed in)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from monitor.pipeline.tasks.base import TaskOutput
from monitor.pipeline.workspace import Workspace

NOW = 1_800_000_000.0
DAY = 86_400.0


def test_a_checkpoint_round_trips_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    frame = pd.DataFrame({"id": [1, 2], "price": [1.5, None]})
    path = ws.save("run1", "ex", TaskOutput(frame=frame))
    assert path == tmp_path / "run1" / "ex.parquet"
    assert [p.name for p in (tmp_path / "run1").iterdir()] == ["ex.parquet"]
    assert ws.save("run1", "load", TaskOutput(frame=None)) is None  # loads keep no frame


def test_retention_removes_old_run_workspaces_but_keeps_recent_and_running_ones(
    tmp_path: Path,
) -> None:
    ws = Workspace(tmp_path)
    for run, age_days in (("old", 10), ("old_running", 10), ("recent", 1)):
        (tmp_path / run).mkdir()
        (tmp_path / run / "ex.parquet").write_bytes(b"x")
        os.utime(tmp_path / run, (NOW - age_days * DAY, NOW - age_days * DAY))
    removed = ws.clean(7 * DAY, NOW, keep={"old_running"})
    assert removed == [tmp_path / "old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old_running", "recent"]


def test_cleaning_a_missing_workspace_does_nothing(tmp_path: Path) -> None:
    assert Workspace(tmp_path / "nope").clean(1.0, NOW) == []
