"""Thresholds: when a measured value triggers a warning or a failure.

A threshold is written as a string, the condition under which it triggers:
``"> 0"``, ``"when >= 5%"``, ``"< 1000"``, ``"between 10 and 20"``,
``"not between 0 and 500"``, ``"> 6h"``. Quote it in YAML (a bare ``> 5`` is a
YAML folded scalar), or start it with ``when`` (``fail: when > 5%``).

A value may carry a unit: ``%`` (percent of the rows the check looked at, for
count checks), or a duration ``s``/``m``/``h``/``d``/``w`` (seconds, for
freshness). A threshold keeps the text it was written as for display.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_DURATION = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_VALUE = rf"({_NUMBER})\s*(%|[smhdw])?"
_COMPARE = re.compile(rf"^(>=|<=|==|!=|=|>|<)\s*{_VALUE}$")
_BETWEEN = re.compile(rf"^(not\s+)?between\s+{_VALUE}\s+and\s+{_VALUE}$", re.IGNORECASE)
_OPS = {
    ">": lambda v, a: v > a,
    ">=": lambda v, a: v >= a,
    "<": lambda v, a: v < a,
    "<=": lambda v, a: v <= a,
    "==": lambda v, a: v == a,
    "!=": lambda v, a: v != a,
}


@dataclass(frozen=True)
class Threshold:
    """A parsed threshold: `op` applied to `low` (and `high` for between)."""

    text: str
    op: str  # one of > >= < <= == != between, not between
    low: float
    high: float | None = None
    unit: str | None = None  # "%" (percent), "duration" (seconds) or None

    @property
    def percent(self) -> bool:
        return self.unit == "%"

    def triggers(self, value: float) -> bool:
        """True when `value` (already in the threshold's unit) meets the condition."""
        if math.isnan(value):
            return True
        if self.op == "between":
            assert self.high is not None
            return self.low <= value <= self.high
        if self.op == "not between":
            assert self.high is not None
            return not self.low <= value <= self.high
        return bool(_OPS[self.op](value, self.low))

    def __str__(self) -> str:
        return self.text


def _unit(raw: str | None) -> tuple[float, str | None]:
    if raw is None:
        return 1.0, None
    if raw == "%":
        return 1.0, "%"
    return _DURATION[raw], "duration"


def parse_threshold(text: object) -> Threshold:
    """Parse a threshold string; raise ValueError naming the bad text."""
    if isinstance(text, Threshold):
        return text
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ValueError(  # noqa: TRY004 (pydantic reports ValueError, not TypeError)
            f"threshold must be a string such as '> 0' or '> 5%', got {text!r}"
        )
    raw = str(text).strip()
    body = re.sub(r"^when\s+", "", raw, flags=re.IGNORECASE).strip()
    if m := _COMPARE.match(body):
        op = "==" if m.group(1) == "=" else m.group(1)
        scale, unit = _unit(m.group(3))
        return Threshold(text=_display(op, body), op=op, low=float(m.group(2)) * scale, unit=unit)
    if m := _BETWEEN.match(body):
        scale_lo, unit_lo = _unit(m.group(3))
        scale_hi, unit_hi = _unit(m.group(5))
        if unit_lo != unit_hi:
            raise ValueError(f"threshold {raw!r}: both bounds need the same unit")
        low, high = float(m.group(2)) * scale_lo, float(m.group(4)) * scale_hi
        if low > high:
            raise ValueError(f"threshold {raw!r}: the lower bound is above the upper bound")
        op = "not between" if m.group(1) else "between"
        return Threshold(text=body, op=op, low=low, high=high, unit=unit_lo)
    if re.fullmatch(_VALUE, body):
        raise ValueError(
            f'threshold {raw!r} has no comparison: write it as "> {body}" (quoted in YAML, '
            f"where a bare '>' starts a folded string) or as 'when > {body}'"
        )
    raise ValueError(
        f"invalid threshold {raw!r}: expected '<op> <value>' with op one of "
        "> >= < <= == !=, or 'between A and B' / 'not between A and B'; "
        "a value may end in % or a duration unit s, m, h, d, w"
    )


def parse_duration(text: object) -> float:
    """Seconds from '90s', '30m', '6h', '2d', '1w' or a plain number of seconds."""
    if isinstance(text, bool):
        raise ValueError(f"duration must be like '6h' or '30m', got {text!r}")  # noqa: TRY004
    if isinstance(text, (int, float)):
        return float(text)
    m = re.fullmatch(rf"\s*({_NUMBER})\s*([smhdw])?\s*", str(text))
    if not m:
        raise ValueError(f"invalid duration {text!r}: expected a number with s, m, h, d or w")
    return float(m.group(1)) * _DURATION[m.group(2) or "s"]


def _display(op: str, body: str) -> str:
    rest = re.sub(r"^(>=|<=|==|!=|=|>|<)\s*", "", body)
    return f"{op} {rest}"


ThresholdField = Annotated[
    Threshold,
    BeforeValidator(parse_threshold),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "e.g. '> 0', 'when > 5%', 'not between 1 and 10', '> 6h'",
        }
    ),
]


def as_threshold(value: Any) -> Threshold:
    """Parse a literal default (used by the spec models)."""
    return parse_threshold(value)
