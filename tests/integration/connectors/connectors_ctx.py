"""An IOContext over real engines for connector tests (no runner, no store)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import SecretStr

from monitor.config.project import FilesConnection, HttpConnection, SqlConnection
from monitor.connectors.base import IOContext
from monitor.pipeline.engines import create_engine

DAY = (datetime(2024, 3, 5, tzinfo=UTC), datetime(2024, 3, 6, tzinfo=UTC))


class Marks(dict[str, Any]):
    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key, default)


def make_ctx(
    tmp_path: Path,
    *,
    sql: dict[str, str] | None = None,
    http: dict[str, HttpConnection] | None = None,
    interval: tuple[datetime, datetime] = DAY,
    marks: Marks | None = None,
    run_id: str = "run-1",
    engines: dict[str, sa.Engine] | None = None,
) -> IOContext:
    connections: dict[str, Any] = {"files": FilesConnection(root=tmp_path)}
    for name, url in (sql or {}).items():
        connections[name] = SqlConnection(url=SecretStr(url))
    connections.update(http or {})
    opened = engines if engines is not None else {}

    def engine_for(name: str) -> sa.Engine:
        if name not in opened:
            opened[name] = create_engine(connections[name].url.get_secret_value())
        return opened[name]

    return IOContext(
        pipeline="p",
        task="t",
        run_id=run_id,
        interval_start=interval[0],
        interval_end=interval[1],
        connections=connections,
        engine_for=engine_for,
        config_dir=tmp_path,
        watermarks=marks if marks is not None else Marks(),
    )
