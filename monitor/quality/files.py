"""Checks on files: an in-memory DuckDB with a view over a CSV, JSON or Parquet file, or a
folder of Parquet files (hive partitions such as year=/month=/ become columns).

CSV lines with too few fields are kept with NULLs (`null_padding`), so missing and
validity checks see malformed lines instead of losing them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from checks.frame import frame_engine
from monitor.errors import DataError


def _reader(path: Path) -> Any:
    if path.is_dir():
        pattern = str(path / "**" / "*.parquet")
        return sa.func.read_parquet(pattern, sa.text("hive_partitioning = true"))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return sa.func.read_csv(str(path), sa.text("null_padding = true"))
    if suffix in (".json", ".jsonl", ".ndjson"):
        return sa.func.read_json_auto(str(path))
    if suffix == ".parquet":
        return sa.func.read_parquet(str(path))
    raise DataError(str(path), "checks read .csv, .json, .parquet files or folders of Parquet")


def file_engine(root: Path, relation: str, dataset: str) -> tuple[sa.Engine, str]:
    """An engine with a view over `root/relation`, and the view's name."""
    path = (Path(root) / relation).resolve()
    if not path.exists():
        raise DataError(dataset, f"{path} does not exist")
    reader = _reader(path)
    view = re.sub(r"\W", "_", path.stem if path.is_file() else path.name)
    engine = frame_engine()
    select: sa.Select[Any] = sa.select(sa.literal_column("*")).select_from(reader)
    sql = str(select.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    quoted = engine.dialect.identifier_preparer.quote(view)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE VIEW {quoted} AS {sql}")
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DataError(dataset, f"cannot read {path}: {reason}") from None
    return engine, view
