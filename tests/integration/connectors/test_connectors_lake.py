"""The Parquet lake target: hive folders by a date/timestamp column, atomic files, no
duplicates on rerun, the run's interval replaced."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from monitor.connectors.lake import ParquetTarget
from monitor.connectors.parquet import ParquetSource
from monitor.errors import DataError
from tests.integration.connectors.connectors_ctx import make_ctx

HOUR = (datetime(2024, 3, 5, 13, tzinfo=UTC), datetime(2024, 3, 5, 14, tzinfo=UTC))


def _events(*times: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"event_id": list(range(len(times))), "event_time": pd.to_datetime(list(times))}
    )


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_append_is_per_run_and_rerun_safe(tmp_path: Path) -> None:
    target = ParquetTarget(
        connection="files", path="lake/events", partition_by="hour", partition_column="event_time"
    )
    frame = _events("2024-03-05 13:10", "2024-03-05 13:20", "2024-03-05 14:05")
    for _ in range(2):
        result = target.write(frame, make_ctx(tmp_path, run_id="r1", interval=HOUR))
    target.write(_events("2024-03-05 13:40"), make_ctx(tmp_path, run_id="r2", interval=HOUR))
    assert result.rows_written == 3
    assert _files(tmp_path / "lake/events") == [
        "year=2024/month=03/day=05/hour=13/part-r1.parquet",
        "year=2024/month=03/day=05/hour=13/part-r2.parquet",
        "year=2024/month=03/day=05/hour=14/part-r1.parquet",
    ]
    read = ParquetSource(connection="files", path="lake/events", partition_by="hour")
    assert len(read.read(make_ctx(tmp_path, interval=HOUR)).frame) == 3


def test_replace_interval_rewrites_only_the_runs_partitions(tmp_path: Path) -> None:
    target = ParquetTarget(
        connection="files",
        path="lake/events",
        mode="replace_interval",
        partition_by="hour",
        partition_column="event_time",
    )
    before = (datetime(2024, 3, 5, 12, tzinfo=UTC), HOUR[0])
    target.write(_events("2024-03-05 12:30"), make_ctx(tmp_path, interval=before))
    target.write(_events("2024-03-05 13:10", "2024-03-05 13:50"), make_ctx(tmp_path, interval=HOUR))
    target.write(_events("2024-03-05 13:15"), make_ctx(tmp_path, interval=HOUR))
    source = ParquetSource(connection="files", path="lake/events", partition_by="hour")
    assert len(source.read(make_ctx(tmp_path, interval=HOUR)).frame) == 1
    assert len(source.read(make_ctx(tmp_path, interval=before)).frame) == 1
    target.write(_events(), make_ctx(tmp_path, interval=HOUR))  # an empty hour empties it
    assert source.read(make_ctx(tmp_path, interval=HOUR)).frame.empty
    assert not list((tmp_path / "lake").rglob("*.tmp"))


def test_replace_swaps_the_whole_folder(tmp_path: Path) -> None:
    target = ParquetTarget(connection="files", path="lake/snap", mode="replace")
    target.write(_events("2024-03-05 13:10"), make_ctx(tmp_path))
    target.write(_events("2024-03-05 13:10", "2024-03-05 13:11"), make_ctx(tmp_path))
    assert _files(tmp_path / "lake/snap") == ["part-0.parquet"]
    assert len(pd.read_parquet(tmp_path / "lake/snap/part-0.parquet")) == 2
    assert [p.name for p in (tmp_path / "lake").iterdir()] == ["snap"]


def test_lake_errors() -> None:
    with pytest.raises(ValueError, match="give both 'partition_by' and 'partition_column'"):
        ParquetTarget(connection="files", path="x", partition_by="hour")


def test_missing_partition_column_is_named(tmp_path: Path) -> None:
    target = ParquetTarget(
        connection="files", path="lake/e", partition_by="day", partition_column="day"
    )
    with pytest.raises(DataError, match="^files:lake/e: the rows have no column 'day'$"):
        target.write(_events("2024-03-05 13:10"), make_ctx(tmp_path))
