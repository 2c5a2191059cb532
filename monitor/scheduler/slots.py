"""The scheduler's reads and writes: slots, queued runs, claims (SQLAlchemy Core).

A due slot and its run are written in ONE transaction, so the primary key of
`schedule_slots` (pipeline, scheduled_for) guarantees a scheduled run is
created at most once, whatever the number of schedulers and restarts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
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
    run: PipelineRun
    task_run_ids: dict[str, str]
    resumed: bool  # it ran before (orphaned or stopped): reuse its checkpoints

    @property
    def run_id(self) -> str:
        return self.run.id

    @property
    def pipeline(self) -> str:
        return self.run.pipeline


def last_slots(engine: sa.Engine) -> dict[str, datetime]:
    """The newest recorded slot of every pipeline."""
    c = SLOTS.c
    query = sa.select(c.pipeline, sa.func.max(c.scheduled_for)).group_by(c.pipeline)
    with engine.connect() as conn:
        return {p: t for p, t in conn.execute(query) if t is not None}


def record_slots(
    store: Store, pipeline: str, slots: Sequence[Slot], prepare: PrepareRun, now: datetime
) -> list[str]:
    """Write one pipeline's slots; returns the new run ids (see `record_many`)."""
    return record_many(store, {pipeline: slots}, prepare, now).get(pipeline, [])


def record_many(
    store: Store,
    due: Mapping[str, Sequence[Slot]],
    prepare: PrepareRun,
    now: datetime,
    fresh: list[QueuedRun] | None = None,
) -> dict[str, list[str]]:
    """Write the slots of many pipelines (and a queued run for each that runs) in one
    transaction; returns pipeline -> new run ids. `fresh`, when given, receives the
    new queued runs (so the dispatcher need not read them back).

    If another scheduler wrote one of them first (the lease makes that a
    should-not-happen), falls back to one slot at a time and skips those that exist.
    """
    due = {p: s for p, s in due.items() if s}
    if not due:
        return {}
    try:
        with store.sessions.begin() as s:
            made: list[QueuedRun] = []
            written = _add_all(s, due, prepare, now, made)
        if fresh is not None:
            fresh.extend(made)
        return written
    except sa.exc.IntegrityError:
        log.warning("some slots already exist; writing them one by one")
    created: dict[str, list[str]] = {}
    for pipeline, slots in due.items():
        for slot in slots:
            try:
                with store.sessions.begin() as s:
                    run_id = _add(s, pipeline, slot, prepare, now)
            except sa.exc.IntegrityError:
                continue
            if run_id:
                created.setdefault(pipeline, []).append(run_id)
    return created


def _add_all(
    s: Session,
    due: Mapping[str, Sequence[Slot]],
    prepare: PrepareRun,
    now: datetime,
    made: list[QueuedRun],
) -> dict[str, list[str]]:
    """Everything in three batched INSERTs (runs, then their tasks and the slots)."""
    runs: list[PipelineRun] = []
    rest: list[object] = []
    created: dict[str, list[str]] = {}
    for pipeline, slots in due.items():
        for slot in slots:
            run_id = ""
            if slot.run:
                run, tasks = prepare(pipeline, slot)
                runs.append(run)
                rest += tasks
                run_id = run.id
                created.setdefault(pipeline, []).append(run_id)
                made.append(QueuedRun(run, {t.task: t.task_run_id for t in tasks}, False))
            rest.append(_slot_row(pipeline, slot, run_id, now))
    s.add_all(runs)
    s.flush()
    s.add_all(rest)
    s.flush()  # the slots' primary key is checked here, in this transaction
    return created


def _slot_row(pipeline: str, slot: Slot, run_id: str, now: datetime) -> ScheduleSlot:
    return ScheduleSlot(
        pipeline=pipeline,
        scheduled_for=slot.scheduled_for,
        interval_start=slot.interval_start,
        interval_end=slot.interval_end,
        status="run" if slot.run else "missed",
        run_id=run_id or None,
        reason=slot.reason,
        created_at=now,
    )


def _add(s: Session, pipeline: str, slot: Slot, prepare: PrepareRun, now: datetime) -> str:
    run_id = ""
    if slot.run:
        run, tasks = prepare(pipeline, slot)
        s.add(run)
        s.flush()
        s.add_all(tasks)
        run_id = run.id
    s.add(_slot_row(pipeline, slot, run_id, now))
    s.flush()  # the primary key is checked here, in this transaction
    return run_id


def queued_runs(store: Store, limit: int) -> list[QueuedRun]:
    """Scheduled runs waiting for a worker, oldest slot first, with their task run ids."""
    with store.sessions() as s:
        runs = list(
            s.scalars(
                sa.select(PipelineRun)
                .where(PipelineRun.state == RunState.QUEUED, PipelineRun.trigger == "schedule")
                .order_by(PipelineRun.scheduled_for, PipelineRun.created_at)
                .limit(limit)
            )
        )
        if not runs:
            return []
        ids: dict[str, dict[str, str]] = {}
        for run_id, task, task_run_id in s.execute(
            sa.select(TaskRun.run_id, TaskRun.task, TaskRun.task_run_id).where(
                TaskRun.run_id.in_([r.id for r in runs])
            )
        ):
            ids.setdefault(run_id, {})[task] = task_run_id
    return [QueuedRun(r, ids.get(r.id, {}), r.started_at is not None) for r in runs]


def running_counts(engine: sa.Engine) -> dict[str, int]:
    c = RUNS.c
    query = (
        sa.select(c.pipeline, sa.func.count())
        .where(c.state == RunState.RUNNING)
        .group_by(c.pipeline)
    )
    with engine.connect() as conn:
        return {p: int(n) for p, n in conn.execute(query)}


def claim(engine: sa.Engine, run_ids: Sequence[str], owner: str, now: datetime) -> set[str]:
    """Take queued runs for this process (atomic: a run has one claimer); returns those won.

    A claimed run has started: it is `running`, with a free worker, from `now` — the
    start time its scheduler lag (started_at - scheduled_for) is measured to."""
    if not run_ids:
        return set()
    c = RUNS.c
    with engine.begin() as conn:
        won = conn.execute(
            sa.update(RUNS)
            .where(c.id.in_(list(run_ids)), c.state == RunState.QUEUED)
            .values(
                state=RunState.RUNNING,
                owner=owner,
                heartbeat_at=now,
                started_at=sa.func.coalesce(c.started_at, now),  # a resumed run keeps its start
            )
            .returning(c.id)
        )
        return {r[0] for r in won}
