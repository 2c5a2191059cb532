"""Parquet sources: one file, a folder, or a hive-partitioned folder read by the run's interval.

With `partition_by: hour` (or day, month, year) only the folders of the run's
data interval are read (`year=/month=/day=/hour=`); a missing folder is an empty
hour, not an error. With `interval_column`, rows outside [start, end) are
filtered on purpose (and counted as such).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from monitor.config.base import Model
from monitor.connectors.base import IOContext, ReadResult, Rejected
from monitor.connectors.files import raw_row, resolve_path
from monitor.connectors.partitions import Grain, interval_files
from monitor.connectors.typing import ColumnType, cast_columns, frame_columns
from monitor.errors import DataError
from monitor.lineage.naming import file_dataset

if TYPE_CHECKING:
    import pandas as pd


class ParquetSource(Model):
    type: Literal["parquet"] = "parquet"
    connection: str
    path: str
    partition_by: Grain | None = None  # read only the partitions of the run's interval
    interval_column: str | None = None  # and only rows in the interval
    columns: dict[str, ColumnType] = Field(default_factory=dict)

    def read(self, ctx: IOContext) -> ReadResult:
        import pandas as pd

        root = resolve_path(ctx, self.connection, self.path)
        shown = f"{self.connection}:{self.path}"
        if not root.exists():
            raise DataError(shown, f"not found: {root}")
        files = self._files(root, ctx)
        frames = [_read(f, shown) for f in files]
        frames = [f for f in frames if len(f.columns)]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        rows_in = len(frame)
        rejected: list[Rejected] = []
        if self.columns:
            frame, bad = cast_columns(frame, self.columns, lambda i: raw_row(frame, i))
            rejected = [Rejected(reason, raw, f"record {i + 1}") for i, reason, raw in bad]
        if self.interval_column and len(frame):
            if self.interval_column not in frame.columns:
                raise DataError(shown, f"no column {self.interval_column!r} in the files")
            stamps = pd.to_datetime(frame[self.interval_column], utc=True)
            start = pd.Timestamp(ctx.interval_start).tz_convert("UTC")
            end = pd.Timestamp(ctx.interval_end).tz_convert("UTC")
            frame = frame[(stamps >= start) & (stamps < end)].reset_index(drop=True)
        dataset = file_dataset(root, connection=self.connection, columns=frame_columns(frame))
        return ReadResult(frame=frame, dataset=dataset, rows_in=rows_in, rejected=rejected)

    def _files(self, root: Path, ctx: IOContext) -> list[Path]:
        return interval_files(
            root, ctx.interval_start, ctx.interval_end, self.partition_by, (".parquet",)
        )


def _read(path: Path, shown: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path, partitioning=None)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(shown, f"cannot read {path}: {exc}") from exc
    return table.to_pandas(types_mapper=None)
