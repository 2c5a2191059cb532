"""What every source and target is: a config model with `type`, and a reader or writer.

A source reads into a DataFrame and keeps every record it could not parse
(`Rejected`), so counts reconcile: rows in = rows out + rows rejected.
A target writes a DataFrame idempotently (the mode says how).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd
    import sqlalchemy as sa

    from monitor.config.project import Connection
    from monitor.pipeline.events import DatasetRef


@dataclass(frozen=True)
class Rejected:
    """A record that did not make it, with why and where (for the dead-letter queue)."""

    reason: str
    raw: str
    location: str = ""


@dataclass
class ReadResult:
    frame: pd.DataFrame
    dataset: DatasetRef
    rows_in: int  # records seen in the source, good and bad
    rejected: list[Rejected] = field(default_factory=list)
    watermark: tuple[str, Any] | None = None  # (key, new value) to store after success


@dataclass(frozen=True)
class WriteResult:
    dataset: DatasetRef
    rows_written: int
    mode: str


class Watermarks(Protocol):
    def get(self, key: str) -> Any: ...


@dataclass(frozen=True)
class IOContext:
    """What a connector may use: resolved connections, the run's interval, engines."""

    pipeline: str
    task: str
    run_id: str
    interval_start: datetime
    interval_end: datetime
    connections: Mapping[str, Connection]
    engine_for: Callable[[str], sa.Engine]  # connection name -> engine (opened by the runner)
    config_dir: Path
    watermarks: Watermarks
    store_engine: sa.Engine | None = None  # for tasks that record results (checks)

    def connection(self, name: str) -> Connection:
        return self.connections[name]


class Source(Protocol):
    type: str

    def read(self, ctx: IOContext) -> ReadResult: ...


class Target(Protocol):
    type: str

    def write(self, frame: pd.DataFrame, ctx: IOContext) -> WriteResult: ...
