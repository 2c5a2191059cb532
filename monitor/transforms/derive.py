"""Derived columns: arithmetic expressions, date parts, concatenation, minutes between."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from monitor.errors import DataError
from monitor.transforms import ops

if TYPE_CHECKING:
    import pandas as pd

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARTS = {
    "year": "year",
    "quarter": "quarter",
    "month": "month",
    "day": "day",
    "day_of_week": "day_of_week",
    "hour": "hour",
}


def derive_column(frame: pd.DataFrame, spec: Any, label: str) -> tuple[Any, list[str]]:
    """The values of one derived column and the input columns it used."""
    import pandas as pd

    if isinstance(spec, str):
        used = [n for n in _NAME.findall(spec) if n in frame.columns]
        try:
            values = frame.eval(spec, engine="python")
        except Exception as exc:
            raise DataError(label, f"cannot evaluate {spec!r}: {exc}") from exc
        return values, used
    if isinstance(spec, ops.DatePartSpec):
        _need(frame, [spec.of], label)
        stamps = frame[spec.of]
        if not (pd.api.types.is_datetime64_any_dtype(stamps.dtype)):
            stamps = pd.to_datetime(stamps.astype("string"), utc=True, format="ISO8601")
        if spec.date_part == "date":
            return stamps.dt.date, [spec.of]
        if spec.date_part == "week":
            return stamps.dt.isocalendar().week.astype("Int64"), [spec.of]
        return getattr(stamps.dt, _PARTS[spec.date_part]).astype("Int64"), [spec.of]
    if isinstance(spec, ops.ConcatSpec):
        _need(frame, spec.concat, label)
        parts = [frame[c].astype("string") for c in spec.concat]
        out = parts[0]
        for part in parts[1:]:
            out = out.str.cat(part, sep=spec.sep)
        return out, list(spec.concat)
    start, end = spec.minutes_between
    _need(frame, [start, end], label)
    delta = pd.to_datetime(frame[end], utc=True) - pd.to_datetime(frame[start], utc=True)
    return delta.dt.total_seconds() / 60.0, [start, end]


def _need(frame: pd.DataFrame, columns: list[str], label: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns)) or "none"
        raise DataError(label, f"no column {missing[0]!r} (columns: {have})")
