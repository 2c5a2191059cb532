"""Late-arriving rows: arrival time more than `max_delay` after the event time.

The difference is taken in seconds per dialect (julianday on SQLite, epoch() on
DuckDB, EXTRACT(EPOCH FROM ...) on PostgreSQL); dates count from midnight.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from checks.dialects import seconds_between
from checks.errors import CheckConfigError
from checks.families.base import CountFamily
from checks.scan import Scan
from checks.specs import LatenessCheck


def _as_timestamp(scan: Scan, name: str) -> ColumnElement[Any]:
    family = scan.family(name)
    if family not in ("timestamp", "date", "string", "other"):
        raise CheckConfigError(f"lateness needs date or timestamp columns; {name!r} is {family}")
    col = scan.col(name)
    if family == "date" and scan.dialect.name == "postgresql":
        return sa.cast(col, sa.DateTime)
    return col


class Lateness(CountFamily[LatenessCheck]):
    def predicate(self, spec: LatenessCheck, scan: Scan) -> ColumnElement[bool]:
        arrived = _as_timestamp(scan, spec.column)
        happened = _as_timestamp(scan, spec.event_column)
        delay = seconds_between(scan.dialect, arrived, happened)
        return delay > spec.max_delay_seconds

    def what(self, spec: LatenessCheck) -> str:
        return f"with {spec.column} more than {spec.max_delay} after {spec.event_column}"
