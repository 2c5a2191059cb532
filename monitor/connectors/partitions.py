"""Hive-partitioned folders (`year=2024/month=01/day=05/hour=13/`) and the run's interval.

`partition_values(ts, grain)` names the folder of one instant; `folders_between`
lists the folders an interval [start, end) touches, so a source reads only
those and a lake target rewrites exactly those.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

Grain = Literal["year", "month", "day", "hour"]
_KEYS: dict[str, tuple[str, ...]] = {
    "year": ("year",),
    "month": ("year", "month"),
    "day": ("year", "month", "day"),
    "hour": ("year", "month", "day", "hour"),
}


def partition_values(ts: datetime, grain: Grain) -> dict[str, int]:
    ts = ts.astimezone(UTC) if ts.tzinfo else ts
    return {key: getattr(ts, key) for key in _KEYS[grain]}


def folder(values: dict[str, int], *, padded: bool = True) -> Path:
    """`year=2024/month=01/...`; unpadded numbers are accepted when reading."""
    parts = [f"{k}={v:02d}" if padded and k != "year" else f"{k}={v}" for k, v in values.items()]
    return Path(*parts)


def _floor(ts: datetime, grain: Grain) -> datetime:
    ts = ts.astimezone(UTC) if ts.tzinfo else ts.replace(tzinfo=UTC)
    if grain == "hour":
        return ts.replace(minute=0, second=0, microsecond=0)
    if grain == "day":
        return ts.replace(hour=0, minute=0, second=0, microsecond=0)
    if grain == "month":
        return ts.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return ts.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def _next(ts: datetime, grain: Grain) -> datetime:
    if grain == "hour":
        return ts + timedelta(hours=1)
    if grain == "day":
        return ts + timedelta(days=1)
    if grain == "month":
        return (ts.replace(day=28) + timedelta(days=4)).replace(day=1)
    return ts.replace(year=ts.year + 1)


def folders_between(start: datetime, end: datetime, grain: Grain) -> list[dict[str, int]]:
    """Partition values of every folder that holds data of [start, end)."""
    out: list[dict[str, int]] = []
    at = _floor(start, grain)
    stop = end.astimezone(UTC) if end.tzinfo else end.replace(tzinfo=UTC)
    while at < stop:
        out.append(partition_values(at, grain))
        at = _next(at, grain)
        if len(out) > 100_000:
            raise ValueError("interval too long for its partitions")
    return out


def existing_folder(root: Path, values: dict[str, int]) -> Path | None:
    """The folder for `values` below root, zero-padded or not, if it exists."""
    for padded in (True, False):
        candidate = root / folder(values, padded=padded)
        if candidate.is_dir():
            return candidate
    return None


def interval_files(
    root: Path, start: datetime, end: datetime, grain: Grain | None, suffixes: tuple[str, ...]
) -> list[Path]:
    """The data files below root: all of them, or only those in the folders of [start, end)."""
    if root.is_file():
        return [root]

    def files(folder: Path) -> list[Path]:
        return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in suffixes)

    if grain is None:
        return files(root)
    out: list[Path] = []
    for values in folders_between(start, end, grain):
        found = existing_folder(root, values)
        if found is not None:
            out += files(found)
    return out
