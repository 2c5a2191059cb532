"""Threshold lines for trend charts, parsed by the checks engine's own parser."""

from __future__ import annotations

from typing import Any

from checks.thresholds import parse_threshold


def lines(text: Any) -> list[float]:
    """The values a threshold compares against, when they share the check value's unit.

    Percent thresholds compare a share of the rows, not the stored value, so
    they draw no line; an unparsable or empty threshold draws none either.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    try:
        threshold = parse_threshold(text)
    except ValueError:
        return []
    if threshold.percent:
        return []
    return [v for v in (threshold.low, threshold.high) if v is not None]
