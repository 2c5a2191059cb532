"""Declared column types: casting values, and naming a frame's columns for lineage."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from monitor.pipeline.events import Column

if TYPE_CHECKING:
    import pandas as pd

ColumnType = Literal["string", "int", "float", "decimal", "bool", "date", "timestamp"]
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def cast_columns(
    frame: pd.DataFrame,
    types: dict[str, ColumnType],
    raw: Callable[[int], str],
) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """Cast columns to their declared types.

    Empty strings become NULL. A value that is not empty but does not parse
    rejects its row: returns the good rows and (position, reason, raw) for each bad one.
    Columns that are not text yet (a database's or a JSON document's values) are
    read as their text first, so one rule applies to every source.
    """
    import numpy as np
    import pandas as pd

    bad = np.zeros(len(frame), dtype=bool)
    reasons: dict[int, str] = {}
    out = {}
    for name in frame.columns:
        values = frame[name]
        kind = types.get(str(name))
        if kind is None:
            out[name] = values.where(values != "", None) if _is_text(values) else values
            continue
        text = values if _is_text(values) else _as_text(values)
        present = text.notna() & (text.astype("string").str.strip() != "")
        parsed = parse_values(text.where(present, None), kind)
        failed = (present & parsed.isna()).to_numpy(dtype=bool)
        for pos in np.flatnonzero(failed):
            if pos not in reasons:
                reasons[int(pos)] = f"column {name!r}: {text.iloc[pos]!r} is not a valid {kind}"
        bad |= failed
        out[name] = parsed
    result = pd.DataFrame(out, index=frame.index)
    rejected = [(pos, reasons[pos], raw(pos)) for pos in sorted(reasons)]
    return result[~bad].reset_index(drop=True), rejected


def _is_text(values: pd.Series) -> bool:
    import pandas as pd

    return values.dtype == object or isinstance(values.dtype, pd.StringDtype)


def _as_text(values: pd.Series) -> pd.Series:
    import pandas as pd

    if pd.api.types.is_bool_dtype(values.dtype):
        return values.map(lambda v: None if pd.isna(v) else str(bool(v)).lower()).astype(object)
    return values.map(lambda v: None if pd.isna(v) else _iso(v)).astype(object)


def _iso(value: object) -> str:
    iso = getattr(value, "isoformat", None)
    return str(iso()) if callable(iso) else str(value)


def parse_values(text: pd.Series, kind: ColumnType) -> pd.Series:
    """Text to one declared type; what does not parse becomes NA."""
    import pandas as pd
    import pyarrow as pa

    if kind == "string":
        return text.astype("string")
    if kind == "int":
        numbers = pd.to_numeric(text, errors="coerce")
        whole = numbers.where(numbers.isna() | (numbers % 1 == 0))
        return whole.astype("Int64")
    if kind in ("float", "decimal"):
        return pd.to_numeric(text, errors="coerce").astype("Float64")
    if kind == "bool":
        lowered = text.astype("string").str.strip().str.lower()
        return lowered.map(lambda v: True if v in _TRUE else False if v in _FALSE else None).astype(
            "boolean"
        )
    stamps = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
    if kind == "date":
        return stamps.dt.tz_localize(None).dt.normalize().astype(pd.ArrowDtype(pa.date32()))
    return stamps


def frame_columns(frame: pd.DataFrame) -> tuple[Column, ...]:
    return tuple(Column(str(name), str(dtype)) for name, dtype in frame.dtypes.items())
