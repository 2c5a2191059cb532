"""Runs whose process died (orphaned) or stopped (shutdown), and taking them over.

A running run holds a heartbeat lease: the runner refreshes `heartbeat_at` of
the run and of its running attempts every few seconds. A run still `running`
whose heartbeat is older than the lease timeout lost its process (kill -9, a
crash, a lost machine). `serve` marks it — its running tasks and attempts end
`aborted` with the reason — and then, by policy:

* a scheduled run goes back to `queued` and runs again from its checkpoints
  (tasks that succeeded keep their output), at most `max_recoveries` times,
  then it is `failed` with the reason;
* any other run (manual, backfill) ends `aborted`, resumable with
  `riverkeeper run --resume RUN_ID`.

Scheduled runs that a graceful shutdown left `aborted` are taken over the same way.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa

from monitor.pipeline.events import RunState, TaskState
from monitor.store.tables import PipelineRun, TaskAttempt, TaskRun
from monitor.store.tables_scheduler import RunRecovery

RUNS = cast(sa.Table, PipelineRun.__table__)
TASKS = cast(sa.Table, TaskRun.__table__)
ATTEMPTS = cast(sa.Table, TaskAttempt.__table__)
RECOVERIES = cast(sa.Table, RunRecovery.__table__)


@dataclass(frozen=True)
class Candidate:
    run_id: str
    pipeline: str
    state: str
    trigger: str
    owner: str | None
    heartbeat_at: datetime | None

    def reason(self, now: datetime) -> str:
        if self.state == RunState.ABORTED:
            return "stopped by a shutdown; taken over by serve"
        seen = self.heartbeat_at.isoformat(timespec="seconds") if self.heartbeat_at else "never"
        return f"orphaned: no heartbeat since {seen} (owner {self.owner or 'unknown'})"


def candidates(
    engine: sa.Engine, now: datetime, lease_timeout: timedelta, exclude: Collection[str] = ()
) -> list[Candidate]:
    """Orphaned runs (any trigger), and scheduled runs a shutdown left aborted."""
    c = RUNS.c
    last_sign = sa.func.coalesce(c.heartbeat_at, c.started_at, c.created_at)
    orphaned = sa.and_(c.state == RunState.RUNNING, last_sign < now - lease_timeout)
    stopped = sa.and_(c.state == RunState.ABORTED, c.trigger == "schedule")
    query = sa.select(c.id, c.pipeline, c.state, c.trigger, c.owner, c.heartbeat_at).where(
        sa.or_(orphaned, stopped)
    )
    if exclude:
        query = query.where(c.id.not_in(list(exclude)))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(c.created_at)).all()
    return [Candidate(*row) for row in rows]


def take_over(engine: sa.Engine, run: Candidate, now: datetime, max_recoveries: int) -> str:
    """Mark the run's unfinished work aborted and requeue, fail or abort it.

    Returns the run's new state ("" when another process changed it first).
    """
    reason = run.reason(now)
    with engine.begin() as conn:
        count = 1 + (
            conn.execute(
                sa.select(RECOVERIES.c.recoveries).where(RECOVERIES.c.run_id == run.run_id)
            ).scalar_one_or_none()
            or 0
        )
        if run.trigger != "schedule":
            state, error = RunState.ABORTED, f"{reason}; resume with `riverkeeper run --resume`"
        elif count > max_recoveries:
            state, error = RunState.FAILED, f"{reason}; gave up after {max_recoveries} recoveries"
        else:
            state, error = RunState.QUEUED, f"{reason}; requeued ({count}/{max_recoveries})"
        changed = conn.execute(
            sa.update(RUNS)
            .where(RUNS.c.id == run.run_id, RUNS.c.state == run.state)
            .values(state=state, error=error, ended_at=now if state != RunState.QUEUED else None)
        ).rowcount
        if not changed:
            return ""
        unfinished = (TaskState.RUNNING, TaskState.RETRYING, TaskState.QUEUED)
        conn.execute(
            sa.update(TASKS)
            .where(TASKS.c.run_id == run.run_id, TASKS.c.state.in_(unfinished))
            .values(state=TaskState.ABORTED, ended_at=now, error=reason)
        )
        conn.execute(
            sa.update(ATTEMPTS)
            .where(ATTEMPTS.c.run_id == run.run_id, ATTEMPTS.c.state == TaskState.RUNNING)
            .values(state=TaskState.ABORTED, ended_at=now, error=reason)
        )
        if count == 1:
            conn.execute(
                sa.insert(RECOVERIES).values(
                    run_id=run.run_id, recoveries=1, last_reason=reason, last_at=now
                )
            )
        else:
            conn.execute(
                sa.update(RECOVERIES)
                .where(RECOVERIES.c.run_id == run.run_id)
                .values(recoveries=count, last_reason=reason, last_at=now)
            )
    return str(state)


def abort(engine: sa.Engine, run_ids: Collection[str], now: datetime, reason: str) -> None:
    """Mark runs this process cannot finish (shutdown timeout) aborted, resumable."""
    if not run_ids:
        return
    unfinished = (TaskState.RUNNING, TaskState.RETRYING, TaskState.QUEUED)
    with engine.begin() as conn:
        conn.execute(
            sa.update(RUNS)
            .where(RUNS.c.id.in_(list(run_ids)), RUNS.c.state == RunState.RUNNING)
            .values(state=RunState.ABORTED, error=reason, ended_at=now)
        )
        conn.execute(
            sa.update(TASKS)
            .where(TASKS.c.run_id.in_(list(run_ids)), TASKS.c.state.in_(unfinished))
            .values(state=TaskState.ABORTED, ended_at=now, error=reason)
        )
        conn.execute(
            sa.update(ATTEMPTS)
            .where(ATTEMPTS.c.run_id.in_(list(run_ids)), ATTEMPTS.c.state == TaskState.RUNNING)
            .values(state=TaskState.ABORTED, ended_at=now, error=reason)
        )
