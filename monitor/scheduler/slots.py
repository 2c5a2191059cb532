"""The scheduler's reads and writes: slots, queued runs, claims (SQLAlchemy Core).

A due slot and its run are written in ONE transaction, so the primary key of
`schedule_slots` (pipeline, scheduled_for) guarantees a scheduled run is
created at most once, whatever the number of schedulers and restarts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.pipeline.events import RunState
from monitor.scheduler.plan import Slot
from monitor.store.runs import Store
from monitor.store.tables import PipelineRun, TaskRun
from monitor.store.tables_scheduler import ScheduleSlot

log = logging.getLogger(__name__)
RUNS = cast(sa.Table, PipelineRun.__table__)
SLOTS = cast(sa.Table, ScheduleSlot.__table__)

# (pipeline, slot) -> the rows of a new queued run (Runner.prepare)
PrepareRun = Callable[[str, Slot], tuple[PipelineRun, list[TaskRun]]]


@dataclass(frozen=True)
class QueuedRun:
    run_id: str
    pipeline: str
    scheduled_for: datetime | None
    resumed: bool  # it ran before (orphaned or stopped): reuse its checkpoints


def last_slots(engine: sa.Engine) -> dict[str, datetime]:
    """The newest recorded slot of every pipeline."""
    c = SLOTS.c
    query = sa.select(c.pipeline, sa.func.max(c.scheduled_for)).group_by(c.pipeline)
    with engine.connect() as conn:
        return {p: t for p, t in conn.execute(query) if t is not None}


def record_slots(
    store: Store, pipeline: str, slots: Sequence[Slot], prepare: PrepareRun, now: datetime
) -> list[str]:
    """Write slots (and a queued run for each that runs); returns the new run ids.

    All in one transaction; if another scheduler wrote one of them first (the
    lease makes that a should-not-happen), falls back to one at a time and skips
    the slots that exist.
    """
    if not slots:
        return []
    try:
        with store.sessions.begin() as s:
            ids = [_add(s, pipeline, slot, prepare, now) for slot in slots]
        return [i for i in ids if i]
    except sa.exc.IntegrityError:
        log.warning("%s: some slots already exist; writing them one by one", pipeline)
    created: list[str] = []
    for slot in slots:
        try:
            with store.sessions.begin() as s:
                run_id = _add(s, pipeline, slot, prepare, now)
        except sa.exc.IntegrityError:
            continue
        if run_id:
            created.append(run_id)
    return created


def _add(s: Session, pipeline: str, slot: Slot, prepare: PrepareRun, now: datetime) -> str:
    run_id = ""
    if slot.run:
        run, tasks = prepare(pipeline, slot)
        s.add(run)
        s.flush()
        s.add_all(tasks)
        run_id = run.id
    s.add(
        ScheduleSlot(
            pipeline=pipeline,
            scheduled_for=slot.scheduled_for,
            interval_start=slot.interval_start,
            interval_end=slot.interval_end,
            status="run" if slot.run else "missed",
            run_id=run_id or None,
            reason=slot.reason,
            created_at=now,
        )
    )
    s.flush()  # the primary key is checked here, in this transaction
    return run_id


def queued_runs(engine: sa.Engine, limit: int) -> list[QueuedRun]:
    """Scheduled runs waiting for a worker, oldest slot first."""
    c = RUNS.c
    query = (
        sa.select(c.id, c.pipeline, c.scheduled_for, c.started_at)
        .where(c.state == RunState.QUEUED, c.trigger == "schedule")
        .order_by(c.scheduled_for, c.created_at)
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [QueuedRun(r.id, r.pipeline, r.scheduled_for, r.started_at is not None) for r in rows]


def running_counts(engine: sa.Engine) -> dict[str, int]:
    c = RUNS.c
    query = (
        sa.select(c.pipeline, sa.func.count())
        .where(c.state == RunState.RUNNING)
        .group_by(c.pipeline)
    )
    with engine.connect() as conn:
        return {p: int(n) for p, n in conn.execute(query)}


def claim(engine: sa.Engine, run_id: str, owner: str, now: datetime) -> bool:
    """Take a queued run for this process (atomic: only one claimer wins)."""
    c = RUNS.c
    with engine.begin() as conn:
        taken = conn.execute(
            sa.update(RUNS)
            .where(c.id == run_id, c.state == RunState.QUEUED)
            .values(state=RunState.RUNNING, owner=owner, heartbeat_at=now)
        ).rowcount
    return bool(taken)
