"""Database engines for one run, opened lazily and disposed at the end.

DuckDB files take one writer process at a time (design.md §5), so DuckDB
engines use no pool: each connection closes after use, letting `serve` and
a CLI command take turns on the same file.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from monitor.connectors.base import IOContext
from monitor.errors import UsageError

if TYPE_CHECKING:
    from monitor.config.loader import Project
    from monitor.pipeline.events import TaskInfo
    from monitor.store.runs import Store


def create_engine(url: str) -> sa.Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "duckdb":
        return sa.create_engine(url, poolclass=sa.NullPool)
    if parsed.get_backend_name() == "sqlite":
        return sa.create_engine(url, connect_args={"timeout": 30})
    return sa.create_engine(url, pool_pre_ping=True)


class Engines:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._engines: dict[str, sa.Engine] = {}
        self._lock = threading.Lock()

    def engine(self, connection: str) -> sa.Engine:
        with self._lock:
            if connection not in self._engines:
                conn = self.project.connections.get(connection)
                if conn is None or conn.type != "sql":
                    raise UsageError(f"{connection!r} is not a sql connection")
                self._engines[connection] = create_engine(conn.url.get_secret_value())
            return self._engines[connection]

    def io_context(self, pipeline: str, task: TaskInfo, store: Store) -> IOContext:
        return IOContext(
            pipeline=pipeline,
            task=task.task,
            run_id=task.run.run_id,
            interval_start=task.run.interval_start,
            interval_end=task.run.interval_end,
            connections=self.project.connections,
            engine_for=self.engine,
            config_dir=self.project.config_dir,
            watermarks=_StoreWatermarks(store, pipeline),
            store_engine=store.engine,
        )

    def dispose(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


@dataclass(frozen=True)
class _StoreWatermarks:
    store: Store
    pipeline: str

    def get(self, key: str) -> Any:
        return self.store.get_watermark(self.pipeline, key)
