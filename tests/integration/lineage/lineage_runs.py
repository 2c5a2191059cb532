"""Drive an OutboxListener through whole runs, as the runner does."""

from __future__ import annotations

import uuid
from datetime import timedelta

from monitor.lineage.outbox import OutboxListener
from monitor.pipeline.events import RunState
from tests.unit.lineage.lineage_samples import T0, extract_report, run_info, sql_report, task_info


def emit_run(listener: OutboxListener, n: int = 0) -> str:
    """One pipeline run of two tasks (extract, sql); returns the run id. 6 events."""
    run = run_info(run_id=str(uuid.UUID(int=(0x019ABC00_0000_7000_8000 << 48) + n)))
    listener.run_started(run, T0)
    extract = task_info("extract_orders", run=run)
    listener.task_started(extract, T0 + timedelta(seconds=1))
    listener.task_finished(extract, extract_report())
    summary = task_info("summary", kind="sql", run=run)
    listener.task_started(summary, T0 + timedelta(seconds=4))
    listener.task_finished(summary, sql_report())
    listener.run_finished(run, RunState.SUCCESS, T0 + timedelta(seconds=6), None)
    return run.run_id
