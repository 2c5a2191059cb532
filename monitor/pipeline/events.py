"""What the runner tells the rest of the service while a run goes.

The runner records runs and task runs in the store itself; everything else
that reacts to a run (OpenLineage emission, progress display, metrics pushes)
is a `RunListener`. Listeners get plain, frozen values, never live objects:
a listener that raises is logged and ignored, it never fails a run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    ABORTED = "aborted"  # stopped on purpose (shutdown) or orphaned by a crash; resumable


class TaskState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"
    SUCCESS = "success"
    FAILED = "failed"
    UPSTREAM_FAILED = "upstream_failed"
    SKIPPED = "skipped"
    ABORTED = "aborted"

    @property
    def finished(self) -> bool:
        return self not in (TaskState.QUEUED, TaskState.RUNNING, TaskState.RETRYING)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # engine or pandas type name, e.g. "BIGINT", "int64", "timestamp[us, tz=UTC]"


@dataclass(frozen=True)
class ColumnOrigin:
    """One input column an output column is derived from."""

    dataset: DatasetRef
    column: str
    transformation: str = (
        "IDENTITY"  # IDENTITY | TRANSFORMATION | AGGREGATION (OpenLineage subtypes)
    )


@dataclass(frozen=True)
class DatasetRef:
    """A dataset a task reads or writes, named the way lineage needs it.

    `namespace`/`name` follow the OpenLineage naming spec (design.md §3):
    postgres://host:port + db.schema.table, file + absolute path,
    sqlite://<abs path> / duckdb://<abs path> + table. Never a password.
    `connection` and `table` are the config's names, for people.
    """

    namespace: str
    name: str
    connection: str = ""
    table: str = ""
    columns: tuple[Column, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class RunInfo:
    run_id: str  # a UUID (v7), also the OpenLineage run id of the pipeline job
    pipeline: str
    logical_date: datetime
    interval_start: datetime
    interval_end: datetime
    trigger: str  # manual | schedule | backfill | resume | replay
    description: str = ""


@dataclass(frozen=True)
class TaskInfo:
    run: RunInfo
    task: str
    kind: str  # extract | transform | sql | load | check
    task_run_id: str  # a UUID (v7), the OpenLineage run id of the task job
    attempt: int
    upstream: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckOutcome:
    """A check result as lineage and listeners see it (a subset of the stored row)."""

    dataset: DatasetRef
    name: str
    type: str
    column: str | None
    outcome: str  # pass | warn | fail | error
    severity: str
    value: float | None
    expected: str = ""


@dataclass(frozen=True)
class TaskReport:
    """What one finished task attempt did."""

    state: TaskState
    started_at: datetime
    ended_at: datetime
    inputs: tuple[DatasetRef, ...] = ()
    outputs: tuple[DatasetRef, ...] = ()
    rows_in: int | None = None
    rows_out: int | None = None
    rows_rejected: int = 0
    rows_filtered: int = 0
    # output dataset key -> output column -> its origins (column-level lineage)
    column_lineage: Mapping[str, Mapping[str, tuple[ColumnOrigin, ...]]] = field(
        default_factory=dict
    )
    sql: str | None = None
    checks: Sequence[CheckOutcome] = ()
    error: str | None = None
    error_type: str | None = None
    stack_trace: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


class RunListener(Protocol):
    """Receives a run's life cycle. Methods must be fast and must not raise."""

    def run_started(self, run: RunInfo, at: datetime) -> None: ...

    def task_started(self, task: TaskInfo, at: datetime) -> None: ...

    def task_finished(self, task: TaskInfo, report: TaskReport) -> None: ...

    def run_finished(
        self, run: RunInfo, state: RunState, at: datetime, error: str | None
    ) -> None: ...
