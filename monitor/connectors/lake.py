"""A Parquet data lake: a folder, optionally hive-partitioned (`year=/month=/day=/hour=`).

Every file is written to a temp file in its folder and moved into place with
`os.replace` (atomic on POSIX), so readers never see half a file. Modes:
* append: one file per run and partition (`part-<run id>.parquet`): a rerun
  rewrites its own file, never duplicates;
* replace: all partitions the rows touch are rewritten, others removed;
* replace_interval: every partition of the run's interval is rewritten (emptied
  when the run has no rows for it).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import model_validator

from monitor.config.base import Model
from monitor.connectors.base import IOContext, WriteResult
from monitor.connectors.files import resolve_path
from monitor.connectors.partitions import Grain, folder, folders_between, partition_values
from monitor.connectors.typing import frame_columns
from monitor.errors import DataError
from monitor.lineage.naming import file_dataset

if TYPE_CHECKING:
    import pandas as pd


class ParquetTarget(Model):
    type: Literal["parquet"] = "parquet"
    connection: str
    path: str
    mode: Literal["append", "replace", "replace_interval"] = "append"
    partition_by: Grain | None = None
    partition_column: str | None = None  # the date/timestamp column that picks the folder

    @model_validator(mode="after")
    def _needs(self) -> ParquetTarget:
        if (self.partition_by is None) != (self.partition_column is None):
            raise ValueError("give both 'partition_by' and 'partition_column', or neither")
        if self.mode == "replace_interval" and self.partition_by is None:
            raise ValueError("mode replace_interval needs 'partition_by' and 'partition_column'")
        return self

    def write(self, frame: pd.DataFrame, ctx: IOContext) -> WriteResult:
        root = resolve_path(ctx, self.connection, self.path)
        shown = f"{self.connection}:{self.path}"
        groups = self._groups(frame, shown)
        name = f"part-{ctx.run_id}.parquet" if self.mode == "append" else "part-0.parquet"
        if self.mode == "replace":
            _swap_dir(root, groups, name)
        else:
            folders = dict(groups)
            if self.mode == "replace_interval":
                assert self.partition_by is not None
                for values in folders_between(
                    ctx.interval_start, ctx.interval_end, self.partition_by
                ):
                    folders.setdefault(folder(values), frame.iloc[0:0])
            for rel, part in folders.items():
                target = root / rel
                target.mkdir(parents=True, exist_ok=True)
                if self.mode == "replace_interval":
                    for old in target.glob("*.parquet"):
                        if old.name != name:
                            old.unlink()
                if self.mode == "replace_interval" and part.empty:
                    (target / name).unlink(missing_ok=True)
                    continue
                _atomic_write(part, target / name)
        dataset = file_dataset(root, connection=self.connection, columns=frame_columns(frame))
        return WriteResult(dataset=dataset, rows_written=len(frame), mode=self.mode)

    def _groups(self, frame: pd.DataFrame, shown: str) -> list[tuple[Path, pd.DataFrame]]:
        import pandas as pd

        if self.partition_by is None or self.partition_column is None:
            return [(Path("."), frame)]
        if self.partition_column not in frame.columns:
            raise DataError(shown, f"the rows have no column {self.partition_column!r}")
        stamps = pd.to_datetime(frame[self.partition_column].astype("string"), utc=True)
        if stamps.isna().any():
            raise DataError(
                shown, f"{int(stamps.isna().sum())} row(s) have no {self.partition_column}"
            )
        grain = self.partition_by
        keys = stamps.map(lambda ts: folder(partition_values(ts.to_pydatetime(), grain)))
        return [(Path(str(k)), part) for k, part in frame.groupby(keys, sort=True)]


def _atomic_write(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def _swap_dir(root: Path, groups: list[tuple[Path, pd.DataFrame]], name: str) -> None:
    """Write the whole data set beside the old one, then swap the folders."""
    fresh = root.with_name(f".{root.name}.{uuid.uuid4().hex}.new")
    for rel, part in groups:
        (fresh / rel).mkdir(parents=True, exist_ok=True)
        _atomic_write(part, fresh / rel / name)
    old = root.with_name(f".{root.name}.{uuid.uuid4().hex}.old")
    if root.exists():
        os.replace(root, old)
    os.replace(fresh, root)
    shutil.rmtree(old, ignore_errors=True)
