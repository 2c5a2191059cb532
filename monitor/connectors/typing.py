"""Declared column types: casting text values, and naming a frame's columns for lineage."""

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
    """Cast text columns to their declared types.

    Empty strings become NULL. A value that is not empty but does not parse
    rejects its row: returns the good rows and (position, reason, raw) for each bad one.
    """
    import numpy as np
    import pandas as pd

    bad = np.zeros(len(frame), dtype=bool)
    reasons: dict[int, str] = {}
    out = {}
    for name in frame.columns:
        text = frame[name]
        kind = types.get(str(name))
        if kind is None:
            out[name] = text.where(text != "", None) if text.dtype != object else text
            continue
        present = text.notna() & (text.str.strip() != "")
        parsed = _parse(text.where(present, None), kind)
        failed = present & parsed.isna()
        for pos in np.flatnonzero(failed.to_numpy()):
            if pos not in reasons:
                reasons[int(pos)] = f"column {name!r}: {text.iloc[pos]!r} is not a valid {kind}"
        bad |= failed.to_numpy()
        out[name] = parsed
    result = pd.DataFrame(out, index=frame.index)
    rejected = [(pos, reasons[pos], raw(pos)) for pos in sorted(reasons)]
    return result[~bad].reset_index(drop=True), rejected


def _parse(text: pd.Series, kind: ColumnType) -> pd.Series:
    import pandas as pd

    if kind == "string":
        return text.astype("string")
    if kind == "int":
        numbers = pd.to_numeric(text, errors="coerce")
        whole = numbers.where(numbers.isna() | (numbers % 1 == 0))
        return whole.astype("Int64")
    if kind in ("float", "decimal"):
        return pd.to_numeric(text, errors="coerce").astype("Float64")
    if kind == "bool":
        lowered = text.str.strip().str.lower()
        return lowered.map(lambda v: True if v in _TRUE else False if v in _FALSE else None).astype(
            "boolean"
        )
    if kind == "date":
        return pd.to_datetime(text, errors="coerce", format="ISO8601").dt.normalize()
    return pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)


def frame_columns(frame: pd.DataFrame) -> tuple[Column, ...]:
    return tuple(Column(str(name), str(dtype)) for name, dtype in frame.dtypes.items())
