"""File sources: CSV with declared column types; bad records are kept, not dropped."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from monitor.config.base import Model
from monitor.connectors.base import IOContext, ReadResult, Rejected
from monitor.connectors.partitions import Grain, interval_files
from monitor.connectors.typing import ColumnType, cast_columns, frame_columns
from monitor.errors import DataError, UsageError
from monitor.lineage.naming import file_dataset

if TYPE_CHECKING:
    import pandas as pd


def read_file_or_partitions(
    ctx: IOContext,
    connection: str,
    path: str,
    partition_by: Grain | None,
    suffixes: tuple[str, ...],
    read_one: Callable[[Path, str], ReadResult],
) -> ReadResult:
    """One file, or, with `partition_by`, the files of the run's interval in a hive folder."""
    root = resolve_path(ctx, connection, path)
    shown = f"{connection}:{path}"
    if partition_by is None:
        if not root.is_file():
            raise DataError(shown, f"file not found: {root}")
        return read_one(root, shown)
    if not root.is_dir():
        raise DataError(shown, f"folder not found: {root}")
    files = interval_files(root, ctx.interval_start, ctx.interval_end, partition_by, suffixes)
    return combine([read_one(f, shown) for f in files], root, connection)


def resolve_path(ctx: IOContext, connection: str, path: str) -> Path:
    """A path below a `files` connection's root."""
    conn = ctx.connection(connection)
    if conn.type != "files":
        raise UsageError(f"connection {connection!r} is {conn.type!r}, not a files connection")
    return (conn.root / path).resolve()


class CsvSource(Model):
    """A CSV file. Lines with the wrong number of fields, and values that do not
    parse as their declared type, are rejected with the reason and the raw record."""

    type: Literal["csv"] = "csv"
    connection: str
    path: str
    columns: dict[str, ColumnType] = Field(default_factory=dict)
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: str = "utf8"
    partition_by: Grain | None = None  # `path` is a hive-partitioned folder: the run's part

    def read(self, ctx: IOContext) -> ReadResult:
        return read_file_or_partitions(
            ctx, self.connection, self.path, self.partition_by, (".csv",), self._read_file
        )

    def _read_file(self, path: Path, shown: str) -> ReadResult:
        import pyarrow as pa
        from pyarrow import csv

        bad_lines: list[Rejected] = []

        def on_invalid(row: csv.InvalidRow) -> str:
            bad_lines.append(
                Rejected(
                    reason=f"expected {row.expected_columns} fields, found {row.actual_columns}",
                    raw=row.text,
                    location=path.name,
                )
            )
            return "skip"

        try:
            # Read every column as text: the declared types are applied per value below,
            # so one bad value rejects one record instead of failing the whole file.
            header = _header(path, self.encoding, self.delimiter)
            table = csv.read_csv(
                path,
                read_options=csv.ReadOptions(encoding=self.encoding),
                parse_options=csv.ParseOptions(
                    delimiter=self.delimiter, invalid_row_handler=on_invalid
                ),
                convert_options=csv.ConvertOptions(
                    column_types=dict.fromkeys(header, pa.string()),
                    strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise DataError(shown, f"cannot parse {path}: {exc}") from exc
        missing = [c for c in self.columns if c not in table.column_names]
        if missing:
            raise DataError(
                shown, f"declared column(s) not in the file header: {', '.join(missing)}"
            )
        bad_lines = _with_line_numbers(path, self.encoding, bad_lines)
        frame = table.to_pandas()
        frame, bad_values = cast_columns(frame, self.columns, lambda i: raw_row(frame, i))
        rejected = bad_lines + [
            Rejected(reason, raw, f"{path.name}:record {index + 1}")
            for index, reason, raw in bad_values
        ]
        dataset = file_dataset(path, connection=self.connection, columns=frame_columns(frame))
        rows_in = len(frame) + len(bad_values) + len(bad_lines)
        return ReadResult(frame=frame, dataset=dataset, rows_in=rows_in, rejected=rejected)


def combine(results: list[ReadResult], root: Path, connection: str) -> ReadResult:
    """One result from the files of a folder: rows, rejects and counts added up."""
    import pandas as pd

    frames = [r.frame for r in results if len(r.frame.columns)]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return ReadResult(
        frame=frame,
        dataset=file_dataset(root, connection=connection, columns=frame_columns(frame)),
        rows_in=sum(r.rows_in for r in results),
        rejected=[rejected for r in results for rejected in r.rejected],
    )


def _with_line_numbers(path: Path, encoding: str, bad: list[Rejected]) -> list[Rejected]:
    """Arrow does not report line numbers of invalid rows: find them (bad rows only)."""
    if not bad:
        return bad
    wanted = [r.raw for r in bad]
    numbered: list[Rejected] = []
    with path.open(encoding=encoding, newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if len(numbered) < len(wanted) and line.rstrip("\r\n") == wanted[len(numbered)]:
                r = bad[len(numbered)]
                numbered.append(Rejected(r.reason, r.raw, f"{path.name}:{number}"))
    return numbered + bad[len(numbered) :]


def _header(path: Path, encoding: str, delimiter: str) -> list[str]:
    import csv as pycsv

    with path.open(encoding=encoding, newline="") as handle:
        return next(pycsv.reader(handle, delimiter=delimiter), [])


def raw_row(frame: pd.DataFrame, index: int) -> str:
    """One row as JSON text (the raw record of a rejected value)."""
    return json.dumps({str(k): v for k, v in frame.iloc[index].to_dict().items()}, default=str)
