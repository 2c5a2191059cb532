"""The dead-letter queue: list, show, replay and purge records that did not make it.

Replay is a rerun, not a record-level patch. A dead letter keeps the raw
record (a CSV line, or the row's values as JSON when a value did not cast),
but pushing those alone through the downstream tasks would be wrong for a
`replace` load (it would swap the table for just those rows) and would
bypass transforms that need the whole interval. So replay runs the pipeline
again for the data interval of each dead letter's run (trigger `replay`),
once the cause is fixed — in the source file, or in the config (a column
type). Loads are idempotent per interval, so this never duplicates. When the
replay run succeeds, the original dead letters become `replayed` (with the
replay run id); records that fail again are new `waiting` dead letters of
the replay run, so the counts still reconcile. A failed replay changes no
status. Purge marks records `purged` (kept for audit, out of the queue).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa

from monitor.errors import UsageError, describe
from monitor.pipeline.runner import Runner
from monitor.store.tables import DeadLetter

DEAD = cast(sa.Table, DeadLetter.__table__)
STATUSES = ("waiting", "replayed", "purged")


@dataclass(frozen=True)
class Filter:
    pipeline: str | None = None
    run_id: str | None = None
    task: str | None = None
    reason: str | None = None  # a substring, case-insensitive
    status: str | None = "waiting"  # None: every status
    ids: tuple[int, ...] = ()

    def where(self) -> list[sa.ColumnElement[bool]]:
        c = DEAD.c
        if self.status is not None and self.status not in STATUSES:
            raise UsageError(f"unknown status {self.status!r}; use one of {', '.join(STATUSES)}")
        conditions: list[sa.ColumnElement[bool]] = []
        if self.pipeline:
            conditions.append(c.pipeline == self.pipeline)
        if self.run_id:
            conditions.append(c.run_id == self.run_id)
        if self.task:
            conditions.append(c.task == self.task)
        if self.reason:
            conditions.append(c.reason.ilike(f"%{self.reason}%"))
        if self.status:
            conditions.append(c.status == self.status)
        if self.ids:
            conditions.append(c.id.in_(self.ids))
        return conditions


def as_dict(row: sa.Row[Any]) -> dict[str, Any]:
    out = dict(row._mapping)
    for key in ("created_at", "resolved_at"):
        if out.get(key) is not None:
            out[key] = out[key].isoformat()
    return out


def list_letters(engine: sa.Engine, where: Filter, limit: int = 100) -> list[dict[str, Any]]:
    query = sa.select(DEAD).where(*where.where()).order_by(DEAD.c.id).limit(limit)
    with engine.connect() as conn:
        return [as_dict(r) for r in conn.execute(query)]


def count(engine: sa.Engine, where: Filter) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count()).select_from(DEAD).where(*where.where())
            ).scalar_one()
        )


def show(engine: sa.Engine, letter_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(sa.select(DEAD).where(DEAD.c.id == letter_id)).first()
    if row is None:
        raise UsageError(f"no dead letter with id {letter_id}")
    return as_dict(row)


def purge(engine: sa.Engine, where: Filter, now: datetime) -> int:
    """Mark matching waiting records purged; returns how many."""
    waiting = Filter(where.pipeline, where.run_id, where.task, where.reason, "waiting", where.ids)
    with engine.begin() as conn:
        return int(
            conn.execute(
                sa.update(DEAD).where(*waiting.where()).values(status="purged", resolved_at=now)
            ).rowcount
        )


@dataclass(frozen=True)
class Replay:
    original_run: str
    records: int
    replay_run: str | None
    state: str
    rejected_again: int = 0
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def replay(runner: Runner, where: Filter, now: datetime) -> list[Replay]:
    """Rerun the interval of every run that has matching waiting dead letters."""
    engine = runner.store.engine
    waiting = Filter(where.pipeline, where.run_id, where.task, where.reason, "waiting", where.ids)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(DEAD.c.id, DEAD.c.run_id).where(*waiting.where()).order_by(DEAD.c.id)
        ).all()
    by_run: dict[str, list[int]] = {}
    for letter_id, run_id in rows:
        by_run.setdefault(run_id, []).append(letter_id)
    results = []
    for run_id, ids in by_run.items():
        view = runner.store.get_run(run_id)
        if view is None:
            results.append(Replay(run_id, len(ids), None, "failed", error="the run is gone"))
            continue
        try:
            result = runner.run(
                view.run.pipeline,
                trigger="replay",
                interval=(view.run.interval_start, view.run.interval_end),
            )
        except Exception as exc:  # noqa: BLE001 - reported per original run
            results.append(Replay(run_id, len(ids), None, "failed", error=describe(exc)))
            continue
        again = count(engine, Filter(run_id=result.run_id, status="waiting"))
        if result.ok:
            with engine.begin() as conn:
                conn.execute(
                    sa.update(DEAD)
                    .where(DEAD.c.id.in_(ids), DEAD.c.status == "waiting")
                    .values(status="replayed", resolved_at=now, replay_run_id=result.run_id)
                )
        results.append(
            Replay(run_id, len(ids), result.run_id, str(result.state), again, result.error)
        )
    return results
