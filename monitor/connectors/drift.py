"""Schema drift between an incoming frame and an existing table.

Types compare by family (integer, float, text, date, timestamp, boolean), so
INTEGER vs BIGINT is not drift. Policy `evolve` adds new columns and converts
incoming values to the table's type when that loses nothing (int -> float,
anything -> text, date <-> timestamp); `fail` stops with the table, column and
both types named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from monitor.connectors.bulk import sa_type
from monitor.errors import SchemaDriftError

if TYPE_CHECKING:
    import pandas as pd

_SAFE = {("integer", "float"), ("date", "timestamp"), ("timestamp", "date"), ("boolean", "integer")}


def family(type_: sa.types.TypeEngine[Any]) -> str:
    if isinstance(type_, sa.Boolean):
        return "boolean"
    if isinstance(type_, sa.Integer):
        return "integer"
    if isinstance(type_, sa.Float | sa.Numeric):
        return "float"
    if isinstance(type_, sa.DateTime):
        return "timestamp"
    if isinstance(type_, sa.Date):
        return "date"
    if isinstance(type_, sa.String):
        return "text"
    name = type(type_).__name__.lower()
    if "timestamp" in name or "datetime" in name:
        return "timestamp"
    if "int" in name:
        return "integer"
    return "other"


@dataclass(frozen=True)
class Drift:
    new_columns: dict[str, sa.types.TypeEngine[Any]]
    changed: dict[str, tuple[str, str]]  # column -> (table family, incoming family)


def compare(frame: pd.DataFrame, existing: dict[str, sa.types.TypeEngine[Any]]) -> Drift:
    new: dict[str, sa.types.TypeEngine[Any]] = {}
    changed: dict[str, tuple[str, str]] = {}
    for column, dtype in frame.dtypes.items():
        name = str(column)
        incoming = sa_type(dtype)
        if name not in existing:
            new[name] = incoming
            continue
        have, got = family(existing[name]), family(incoming)
        if (have, got) == ("integer", "float") and _integral(frame[name]):
            continue  # an integer column with NULLs, read as float: converted on insert
        if have != got and frame[name].notna().any() and "other" not in (have, got):
            changed[name] = (have, got)
    return Drift(new, changed)


def _integral(values: pd.Series) -> bool:
    present = values.dropna()
    return bool((present % 1 == 0).all())


def resolve(frame: pd.DataFrame, drift: Drift, *, table: str, policy: str) -> pd.DataFrame:
    """Apply the policy: raise on drift under `fail`; under `evolve` return the frame
    with changed columns converted to the table's type (new columns are the caller's)."""
    if policy == "fail" and (drift.new_columns or drift.changed):
        if drift.new_columns:
            column = next(iter(drift.new_columns))
            raise SchemaDriftError(
                table,
                f"new column {column!r} is not in the table "
                f"(on_schema_change: fail; use evolve to add it)",
            )
        column, (have, got) = next(iter(drift.changed.items()))
        raise SchemaDriftError(
            table, f"column {column!r} changed type from {have} to {got} (on_schema_change: fail)"
        )
    out = frame
    for column, (have, got) in drift.changed.items():
        if (got, have) not in _SAFE and have != "text":
            raise SchemaDriftError(
                table,
                f"column {column!r} changed type from {have} to {got}, "
                "which cannot be converted without loss; change the table or cast the column",
            )
        out = out.copy() if out is frame else out
        out[column] = _convert(out[column], have)
    return out


def _convert(values: pd.Series, family_: str) -> pd.Series:
    import pandas as pd
    import pyarrow as pa

    if family_ == "text":
        return values.map(lambda v: None if pd.isna(v) else str(v)).astype("string")
    if family_ == "float":
        return values.astype("Float64")
    if family_ == "integer":
        return values.astype("Int64")
    if family_ == "date":
        stamps = pd.to_datetime(values, utc=True).dt.tz_localize(None)
        return stamps.dt.normalize().astype(pd.ArrowDtype(pa.date32()))
    return pd.to_datetime(values.astype("string"), utc=True)
