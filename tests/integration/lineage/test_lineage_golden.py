"""The OpenLineage JSON of a small run, as stored, against a golden file.

Times, run ids and the producer version are normalised; everything else
(names, facets, their schema URLs and order) must match byte for byte.
Regenerate with UPDATE_GOLDEN=1 after an intended change, and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from monitor.lineage.outbox import lineage_listener, stored_events
from monitor.pipeline.events import RunState, TaskState
from monitor.store.db import create_store_engine, migrate
from tests.integration.lineage.lineage_runs import emit_run
from tests.unit.lineage.lineage_samples import T0, extract_report, run_info, task_info

GOLDEN = Path(__file__).parents[2] / "golden" / "lineage" / "small_run.json"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")


def normalise(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids: dict[str, str] = {}

    def walk(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str):
            if _UUID.match(value):
                return ids.setdefault(value, f"<run {len(ids) + 1}>")
            if _TIME.match(value):
                return "<time>"
            if key in ("producer", "_producer"):
                return re.sub(r"/tree/[^/]+$", "/tree/<version>", value)
        return value

    return [walk(e) for e in events]


def emit_failed_run(engine: sa.Engine) -> None:
    listener = lineage_listener(engine)
    run = run_info("019abc00-0000-7000-8000-0000000000ff")
    listener.run_started(run, T0)
    task = task_info("extract_orders", run=run)
    listener.task_started(task, T0)
    listener.task_finished(
        task, extract_report(TaskState.FAILED, error="connection 'production' failed: refused")
    )
    listener.run_finished(run, RunState.FAILED, T0 + timedelta(seconds=4), "1 task failed")


def test_small_run_matches_the_golden_json(store_url: str) -> None:
    engine = create_store_engine(store_url)
    migrate(engine)
    emit_run(lineage_listener(engine))
    emit_failed_run(engine)
    text = json.dumps(normalise(stored_events(engine)), indent=2, sort_keys=True) + "\n"
    engine.dispose()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()
