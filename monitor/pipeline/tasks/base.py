"""What a task executor gets and returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from monitor.pipeline.events import CheckOutcome, ColumnOrigin, DatasetRef

if TYPE_CHECKING:
    import pandas as pd

    from monitor.config.loader import Pipeline, Project
    from monitor.connectors.base import IOContext, Rejected
    from monitor.pipeline.events import RunInfo


@dataclass
class TaskOutput:
    """A finished task's data and accounting.

    Counts reconcile per task: rows_in = rows_out + rows_rejected + rows_filtered
    for record-wise tasks (extract, load, filters); joins and aggregates say so
    by leaving rows_filtered at 0 and rows_in as the sum of their inputs.
    `origins` are the datasets the frame derives from (table-level lineage
    through in-memory steps).
    """

    frame: pd.DataFrame | None = None
    inputs: tuple[DatasetRef, ...] = ()
    outputs: tuple[DatasetRef, ...] = ()
    origins: tuple[DatasetRef, ...] = ()
    rows_in: int | None = None
    rows_out: int | None = None
    rows_rejected: int = 0
    rows_filtered: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    watermark: tuple[str, Any] | None = None
    column_lineage: dict[str, dict[str, tuple[ColumnOrigin, ...]]] = field(default_factory=dict)
    sql: str | None = None
    checks: list[CheckOutcome] = field(default_factory=list)


@dataclass(frozen=True)
class TaskContext:
    project: Project
    pipeline: Pipeline
    task: str
    run: RunInfo
    io: IOContext
    upstream: Mapping[str, TaskOutput]
    now: datetime

    @property
    def spec(self) -> Any:
        return self.pipeline.spec.tasks[self.task]


def origins_of(outputs: Mapping[str, TaskOutput]) -> tuple[DatasetRef, ...]:
    """The union of the source datasets behind several upstream outputs, in order."""
    seen: dict[str, DatasetRef] = {}
    for out in outputs.values():
        for ref in out.origins:
            seen.setdefault(ref.key, ref)
    return tuple(seen.values())
