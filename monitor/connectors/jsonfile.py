"""JSON and JSON Lines files: a list of objects (or one under `records`), or one object a line.

A line that is not JSON, or a record that is not an object, is rejected with
its line number; values that do not parse as their declared type reject their record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from monitor.config.base import Model
from monitor.connectors.base import IOContext, ReadResult, Rejected
from monitor.connectors.files import raw_row, read_file_or_partitions
from monitor.connectors.partitions import Grain
from monitor.connectors.typing import ColumnType, cast_columns, frame_columns
from monitor.errors import DataError
from monitor.lineage.naming import file_dataset


class JsonSource(Model):
    type: Literal["json"] = "json"
    connection: str
    path: str
    lines: bool = False  # JSON Lines: one object per line
    records: str | None = None  # key of the list of records in a JSON document ("data")
    columns: dict[str, ColumnType] = Field(default_factory=dict)
    encoding: str = "utf8"
    partition_by: Grain | None = None  # `path` is a hive-partitioned folder: the run's part

    def read(self, ctx: IOContext) -> ReadResult:
        suffixes = (".json", ".jsonl", ".ndjson")
        return read_file_or_partitions(
            ctx, self.connection, self.path, self.partition_by, suffixes, self._read_file
        )

    def _read_file(self, path: Path, shown: str) -> ReadResult:
        text = path.read_text(encoding=self.encoding)
        if self.lines:
            items, rejected = parse_lines(text, path.name)
        else:
            try:
                document = json.loads(text)
            except json.JSONDecodeError as exc:
                raise DataError(
                    shown, f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
                ) from exc
            items, rejected = records_of(document, self.records, path.name, shown)
        rows_in = len(items) + len(rejected)
        frame, bad = to_frame(items, self.columns)
        rejected += bad
        dataset = file_dataset(path, connection=self.connection, columns=frame_columns(frame))
        return ReadResult(frame=frame, dataset=dataset, rows_in=rows_in, rejected=rejected)


def parse_lines(text: str, where: str) -> tuple[list[dict[str, Any]], list[Rejected]]:
    items: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            rejected.append(Rejected(f"not valid JSON: {exc.msg}", line, f"{where}:{number}"))
            continue
        if not isinstance(value, dict):
            reason = f"expected a JSON object, found {type(value).__name__}"
            rejected.append(Rejected(reason, line, f"{where}:{number}"))
            continue
        items.append(value)
    return items, rejected


def records_of(
    document: Any, key: str | None, where: str, shown: str
) -> tuple[list[dict[str, Any]], list[Rejected]]:
    """The records of a JSON document: itself when a list, else the list under `key`."""
    if key is not None:
        if not isinstance(document, dict) or key not in document:
            raise DataError(shown, f"the document has no key {key!r}")
        document = document[key]
    if isinstance(document, dict):
        document = [document]
    if not isinstance(document, list):
        raise DataError(shown, f"expected a list of records, found {type(document).__name__}")
    items: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    for index, value in enumerate(document):
        if isinstance(value, dict):
            items.append(value)
        else:
            reason = f"expected a JSON object, found {type(value).__name__}"
            rejected.append(Rejected(reason, json.dumps(value), f"{where}:record {index + 1}"))
    return items, rejected


def to_frame(
    items: list[dict[str, Any]], columns: dict[str, ColumnType]
) -> tuple[Any, list[Rejected]]:
    """Records to a DataFrame with the declared types; records that do not fit are rejected."""
    import pandas as pd

    frame = pd.DataFrame.from_records(items) if items else pd.DataFrame(columns=list(columns))
    for name in columns:
        if name not in frame.columns:
            frame[name] = None
    frame, bad = cast_columns(frame, columns, lambda i: raw_row(frame, i))
    return frame, [Rejected(reason, raw, f"record {i + 1}") for i, reason, raw in bad]
