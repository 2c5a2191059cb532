"""Row count and freshness: how much data there is, and how new the newest row is."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from checks.dialects import agg_if, count_if
from checks.errors import CheckConfigError
from checks.families.base import Family, Measure, Plan, check_scope
from checks.scan import Scan
from checks.specs import FreshnessCheck, RowCountCheck


class RowCount(Family[RowCountCheck]):
    def plan(self, spec: RowCountCheck, scan: Scan) -> Plan:
        return Plan({"rows": count_if(scan.dialect, check_scope(spec, scan))})

    def measure(self, spec: RowCountCheck, measured: Mapping[str, Any], scan: Scan) -> Measure:
        return Measure(value=float(measured["rows"] or 0), what="rows")


def as_utc(value: Any, column: str) -> datetime:
    """A timestamp from any engine as an aware UTC datetime (naive means UTC)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise CheckConfigError(
                f"column {column!r} holds {value!r}, which is not a date or timestamp"
            ) from None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise CheckConfigError(f"column {column!r} holds {value!r}, which is not a date or timestamp")


class Freshness(Family[FreshnessCheck]):
    """Age of the newest non-NULL value at `now`, in seconds (negative if in the future)."""

    def plan(self, spec: FreshnessCheck, scan: Scan) -> Plan:
        family = scan.family(spec.column)
        if family not in ("timestamp", "date", "string", "other"):
            raise CheckConfigError(
                f"freshness needs a date or timestamp column; {spec.column!r} is {family}"
            )
        newest = agg_if(scan.dialect, sa.func.max, scan.col(spec.column), check_scope(spec, scan))
        return Plan({"newest": newest})

    def measure(self, spec: FreshnessCheck, measured: Mapping[str, Any], scan: Scan) -> Measure:
        raw = measured["newest"]
        if raw is None:
            return Measure(
                value=None,
                what=f"age of the newest {spec.column}",
                unit="s",
                note=f"no non-NULL {spec.column} value",
            )
        newest = as_utc(raw, spec.column)
        age = (scan.now - newest).total_seconds()
        return Measure(
            value=age,
            what=f"age of the newest {spec.column}",
            unit="s",
            note=f"newest {spec.column} is {newest.isoformat()}",
        )
