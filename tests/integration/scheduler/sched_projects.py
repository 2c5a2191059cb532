"""Tiny generated projects for scheduler, runner and fault tests (JSON is YAML).

A project: a CSV folder, a warehouse (SQLite file or a PostgreSQL URL), a
store URL, and pipelines given as dicts. `transforms.py` holds functions the
tests need: one that sleeps (to kill a process mid-run), one that fails a set
number of times (attempt counter in a file).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TRANSFORMS = '''
from __future__ import annotations

import os
import time
from pathlib import Path


def slow(ex):
    time.sleep(float(os.environ.get("RK_TEST_SLOW", "2")))
    return ex


def flaky(ex):
    """Fails with a ConnectionError until RK_TEST_FLAKY_FILE counted RK_TEST_FLAKY_FAILS calls."""
    counter = Path(os.environ["RK_TEST_FLAKY_FILE"])
    calls = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(calls + 1))
    if calls < int(os.environ.get("RK_TEST_FLAKY_FAILS", "2")):
        raise ConnectionError(f"source unavailable (call {calls + 1})")
    return ex


def broken(ex):
    raise ValueError("a bug in the transform")


def keep(ex):
    return ex


def notify():
    """An alert-style task: takes no data, leaves a mark that it ran."""
    import pandas as pd

    Path(os.environ["RK_TEST_NOTIFY_FILE"]).write_text("ran")
    return pd.DataFrame({"sent": [1]})
'''


def write_project(
    root: Path,
    store_url: str,
    pipelines: dict[str, dict[str, Any]],
    *,
    warehouse_url: str | None = None,
    rows: int = 5,
    bad_rows: int = 0,
    extra_connections: dict[str, Any] | None = None,
    retention: str | None = None,
    scheduler: dict[str, Any] | None = None,
) -> Path:
    """Write config/ and data/ below root; returns the config folder."""
    config = root / "config"
    (config / "pipelines").mkdir(parents=True, exist_ok=True)
    data = root / "data"
    data.mkdir(exist_ok=True)
    lines = ["id,price"] + [f"{i},{i * 1.5}" for i in range(1, rows + 1)]
    lines += [f"{rows + i},not-a-number" for i in range(1, bad_rows + 1)]
    (data / "items.csv").write_text("\n".join(lines) + "\n")
    connections: dict[str, Any] = {
        "files": {"type": "files", "root": str(data)},
        "wh": {"type": "sql", "url": warehouse_url or f"sqlite:///{root / 'wh.sqlite'}"},
        **(extra_connections or {}),
    }
    project: dict[str, Any] = {
        "project": "schedtest",
        "store": {"url": store_url},
        "connections": connections,
        "defaults": {"workspace": str(root / "workspace")},
    }
    if retention:
        project["defaults"]["retention"] = retention
    if scheduler:
        project["scheduler"] = scheduler
    (config / "riverkeeper.yaml").write_text(json.dumps(project, indent=1))
    (config / "transforms.py").write_text(TRANSFORMS)
    for name, spec in pipelines.items():
        write_pipeline(config, name, spec)
    return config


def write_pipeline(config: Path, name: str, spec: dict[str, Any]) -> None:
    (config / "pipelines" / f"{name}.yaml").write_text(json.dumps(spec, indent=1, default=str))


def csv_to_table(
    table: str,
    schedule: dict[str, Any] | None = None,
    *,
    transform: str | None = None,
    retry: dict[str, Any] | None = None,
    mode: str = "replace",
) -> dict[str, Any]:
    """extract items.csv -> [transform] -> load into `table`."""
    tasks: dict[str, Any] = {
        "ex": {
            "type": "extract",
            "source": {
                "type": "csv",
                "connection": "files",
                "path": "items.csv",
                "columns": {"id": "int", "price": "float"},
            },
        }
    }
    last = "ex"
    if transform:
        tasks["tr"] = {"type": "transform", "function": f"transforms:{transform}"}
        if retry:
            tasks["tr"]["retry"] = retry
        last = "tr"
    tasks["load"] = {
        "type": "load",
        "input": last,
        "target": {"type": "sql", "connection": "wh", "table": table, "mode": mode},
    }
    spec: dict[str, Any] = {"tasks": tasks}
    if schedule:
        spec["schedule"] = schedule
    return spec


class Clock:
    """A clock tests move by hand."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        from datetime import timedelta

        self.at += timedelta(**delta)
        return self.at
