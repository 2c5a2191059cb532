"""Writing and reading run history: runs, task runs, attempts, dead letters, watermarks.

Each function is one short transaction, so a crash loses at most the step in flight
and readers (dashboard, metrics) see progress as it happens.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from monitor.store.db import create_store_engine, migrate
from monitor.store.tables import (
    DeadLetter,
    Pipeline,
    PipelineRun,
    TaskAttempt,
    TaskRun,
    Watermark,
)


class Store:
    """The store's engine and a session factory; passed to whatever reads or writes it."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        engine = create_store_engine(url)
        if upgrade:
            migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- pipelines -----------------------------------------------------------

    def sync_pipeline(
        self,
        name: str,
        description: str,
        schedule: dict[str, Any] | None,
        config_hash: str,
        now: datetime,
    ) -> None:
        """Insert or update the pipeline row; safe when several processes start at once."""
        values = {
            "name": name,
            "description": description,
            "schedule": schedule,
            "config_hash": config_hash,
            "updated_at": now,
        }
        table = Pipeline.__table__
        dialect = self.engine.dialect.name
        insert: Any
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(table).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.name],
            set_={k: statement.excluded[k] for k in values if k != "name"},
        )
        with self.engine.begin() as conn:
            conn.execute(statement)

    # -- runs -----------------------------------------------------------------

    def create_run(self, run: PipelineRun, tasks: Iterable[TaskRun]) -> None:
        with self.sessions.begin() as s:
            s.add(run)
            s.flush()
            s.add_all(tasks)

    def update_run(self, run_id: str, **values: Any) -> None:
        with self.sessions.begin() as s:
            s.execute(sa.update(PipelineRun).where(PipelineRun.id == run_id).values(**values))

    def update_task(self, run_id: str, task: str, **values: Any) -> None:
        with self.sessions.begin() as s:
            s.execute(
                sa.update(TaskRun)
                .where(TaskRun.run_id == run_id, TaskRun.task == task)
                .values(**values)
            )

    def start_attempt(
        self, run_id: str, task: str, attempt: int, at: datetime, delay: float
    ) -> int:
        with self.sessions.begin() as s:
            row = TaskAttempt(
                run_id=run_id,
                task=task,
                attempt=attempt,
                state="running",
                started_at=at,
                heartbeat_at=at,
                delay_seconds=delay,
            )
            s.add(row)
            s.execute(
                sa.update(TaskRun)
                .where(TaskRun.run_id == run_id, TaskRun.task == task)
                .values(
                    state="running",
                    attempts=attempt,
                    started_at=sa.func.coalesce(TaskRun.started_at, at),
                )
            )
            s.flush()
            return row.id

    def finish_attempt(self, attempt_id: int, state: str, at: datetime, error: str | None) -> None:
        with self.sessions.begin() as s:
            s.execute(
                sa.update(TaskAttempt)
                .where(TaskAttempt.id == attempt_id)
                .values(state=state, ended_at=at, error=error)
            )

    def heartbeat(self, run_id: str, at: datetime) -> None:
        with self.sessions.begin() as s:
            s.execute(
                sa.update(PipelineRun).where(PipelineRun.id == run_id).values(heartbeat_at=at)
            )
            s.execute(
                sa.update(TaskAttempt)
                .where(TaskAttempt.run_id == run_id, TaskAttempt.state == "running")
                .values(heartbeat_at=at)
            )

    # -- dead letters and watermarks -------------------------------------------

    def add_dead_letters(self, rows: Sequence[DeadLetter]) -> None:
        if rows:
            with self.sessions.begin() as s:
                s.add_all(rows)

    def get_watermark(self, pipeline: str, key: str) -> Any:
        with self.sessions() as s:
            row = s.get(Watermark, (pipeline, key))
            return None if row is None else _decode(row.value, row.value_type)

    def set_watermark(self, pipeline: str, key: str, value: Any, run_id: str, at: datetime) -> None:
        text, kind = _encode(value)
        with self.sessions.begin() as s:
            row = s.get(Watermark, (pipeline, key)) or Watermark(pipeline=pipeline, key=key)
            row.value, row.value_type, row.run_id, row.updated_at = text, kind, run_id, at
            s.add(row)

    # -- reading ----------------------------------------------------------------

    def list_runs(self, pipeline: str | None = None, limit: int = 20) -> list[RunView]:
        with self.sessions() as s:
            query = sa.select(PipelineRun).order_by(PipelineRun.created_at.desc()).limit(limit)
            if pipeline:
                query = query.where(PipelineRun.pipeline == pipeline)
            runs = list(s.scalars(query))
            return [self._view(s, run) for run in runs]

    def get_run(self, run_id: str) -> RunView | None:
        with self.sessions() as s:
            run = s.get(PipelineRun, run_id)
            return None if run is None else self._view(s, run)

    @staticmethod
    def _view(s: Session, run: PipelineRun) -> RunView:
        tasks = list(
            s.scalars(sa.select(TaskRun).where(TaskRun.run_id == run.id).order_by(TaskRun.id))
        )
        return RunView(run, tasks)


@dataclass(frozen=True)
class RunView:
    run: PipelineRun
    tasks: list[TaskRun]

    def as_dict(self) -> dict[str, Any]:
        r = self.run
        return {
            "run_id": r.id,
            "pipeline": r.pipeline,
            "state": r.state,
            "trigger": r.trigger,
            "logical_date": _iso(r.logical_date),
            "interval_start": _iso(r.interval_start),
            "interval_end": _iso(r.interval_end),
            "started_at": _iso(r.started_at),
            "ended_at": _iso(r.ended_at),
            "duration_seconds": _duration(r.started_at, r.ended_at),
            "rows_in": r.rows_in,
            "rows_out": r.rows_out,
            "rows_rejected": r.rows_rejected,
            "error": r.error,
            "tasks": [
                {
                    "task": t.task,
                    "kind": t.kind,
                    "state": t.state,
                    "attempts": t.attempts,
                    "started_at": _iso(t.started_at),
                    "ended_at": _iso(t.ended_at),
                    "duration_seconds": _duration(t.started_at, t.ended_at),
                    "rows_in": t.rows_in,
                    "rows_out": t.rows_out,
                    "rows_rejected": t.rows_rejected,
                    "rows_filtered": t.rows_filtered,
                    "error": t.error,
                }
                for t in self.tasks
            ],
        }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _duration(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else round((end - start).total_seconds(), 3)


def _encode(value: Any) -> tuple[str, str]:
    if isinstance(value, datetime):
        return value.isoformat(), "datetime"
    if isinstance(value, bool):
        return json.dumps(value), "bool"
    if isinstance(value, int):
        return str(value), "int"
    if isinstance(value, float):
        return repr(value), "float"
    return str(value), "str"


def _decode(text: str, kind: str) -> Any:
    if kind == "datetime":
        return datetime.fromisoformat(text)
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "bool":
        return bool(json.loads(text))
    return text
