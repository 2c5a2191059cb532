"""How values read on the pages: ages, durations, states and outcomes."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

# Cell backgrounds for tables (text stays plain: headless browsers lack emoji fonts).
CELL_COLOR = {
    "critical": "#ffcdd2",
    "failed": "#ffcdd2",
    "fail": "#ffcdd2",
    "stale": "#ffcdd2",
    "firing": "#ffcdd2",
    "error": "#e1bee7",
    "warning": "#fff3c4",
    "warn": "#fff3c4",
    "pending": "#fff3c4",
    "retrying": "#fff3c4",
    "upstream_failed": "#efebe9",
    "running": "#bbdefb",
    "ok": "#c8e6c9",
    "success": "#c8e6c9",
    "pass": "#c8e6c9",
    "fresh": "#c8e6c9",
    "resolved": "#c8e6c9",
}
# one palette for charts and the lineage graph
OUTCOME_COLOR = {
    "pass": "#2e7d32",
    "warn": "#f9a825",
    "fail": "#c62828",
    "error": "#6a1b9a",
    "unknown": "#9e9e9e",
}
STATE_COLOR = {
    "success": "#2e7d32",
    "failed": "#c62828",
    "running": "#1565c0",
    "retrying": "#ef6c00",
    "upstream_failed": "#8d6e63",
    "skipped": "#9e9e9e",
    "queued": "#9e9e9e",
}


def duration(value: timedelta | float | None) -> str:
    """`42s`, `3m 05s`, `2h 10m`, `3d 4h`; empty for no value."""
    if value is None:
        return ""
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if math.isnan(seconds):
        return ""
    if seconds < 0:
        return "-" + duration(-seconds)
    if seconds < 10:
        return f"{seconds:.1f}s"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{s // 86400}d {s % 86400 // 3600}h"


def ago(at: datetime | None, now: datetime) -> str:
    """`5m 00s ago`, `in 2m 00s`; 'never' for no time."""
    if at is None:
        return "never"
    delta = now - at
    return f"{duration(delta)} ago" if delta >= timedelta(0) else f"in {duration(-delta)}"


def state(value: str | None) -> str:
    return value or "—"


def outcome(value: str | None) -> str:
    return value or "—"


def styled(df: pd.DataFrame, columns: list[str]) -> Any:
    """A Styler colouring the cells of `columns` by their value (critical, failed, ok...)."""

    def paint(value: Any) -> str:
        color = CELL_COLOR.get(str(value))
        return f"background-color: {color}" if color else ""

    present = [c for c in columns if c in df.columns]
    floats = dict.fromkeys(df.select_dtypes("float").columns, number)
    style = df.style.format(floats, na_rep="")
    return style.map(paint, subset=present) if present else style


def number(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"
