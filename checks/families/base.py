"""The shape of a check family: aggregates for the one scan, a pure measure, failing rows."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from checks.dialects import count_if
from checks.result import Outcome
from checks.scan import Scan, TableRef, user_condition
from checks.specs import CheckSpec

S = TypeVar("S", bound=CheckSpec)


@dataclass(frozen=True)
class Measure:
    """What a family measured, before thresholds: a value and, for counts, the rows looked at."""

    value: float | None
    scope: float | None = None  # rows in scope, for count checks (percent denominator)
    what: str = ""  # e.g. "rows with customer_id missing"
    floor: Outcome | None = None  # a worst-at-least outcome (schema changes)
    note: str = ""  # appended to the message
    samples: list[dict[str, Any]] | None = None  # samples that come with the measure
    unit: str = ""  # "s" for durations
    relative: bool = False  # scope is a reference value, not a number of rows


@dataclass(frozen=True)
class Extra:
    """A statement that runs apart from the one scan; its first value lands in `measured`."""

    connection: str  # "" = the checked dataset's engine, else a key of other_engines
    statement: sa.Select[Any] | str  # str = user SQL, run as written
    label: str
    target: TableRef | None = None


@dataclass
class Plan:
    aggregates: dict[str, Any] = field(default_factory=dict)
    extras: list[Extra] = field(default_factory=list)
    distinct: frozenset[str] = frozenset()  # aggregates that hash (COUNT DISTINCT)


class Family(ABC, Generic[S]):
    """A check family: what to aggregate (default: nothing), how to measure, failing rows."""

    def plan(self, spec: S, scan: Scan) -> Plan:
        return Plan()

    @abstractmethod
    def measure(self, spec: S, measured: Mapping[str, Any], scan: Scan) -> Measure:
        """The check's value (and context) from the scan's aggregates."""

    def failing(self, spec: S, scan: Scan) -> ColumnElement[bool] | None:
        """The rows that make this check fail (its own filter included), for samples."""
        return None

    def column(self, spec: S) -> str | None:
        return getattr(spec, "column", None)


def check_scope(spec: CheckSpec, scan: Scan) -> ColumnElement[bool] | None:
    """The check's own filter (the dataset filter is the scan's WHERE)."""
    return user_condition(spec.filter) if spec.filter else None


def and_all(*conds: ColumnElement[bool] | None) -> ColumnElement[bool] | None:
    present = [c for c in conds if c is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else sa.and_(*present)


class CountFamily(Family[S]):
    """A check that counts failing rows: failing predicate → count and rows in scope."""

    @abstractmethod
    def predicate(self, spec: S, scan: Scan) -> ColumnElement[bool]:
        """True for the rows that fail the check."""

    @abstractmethod
    def what(self, spec: S) -> str:
        """How a failing row is described in messages, e.g. "with customer_id missing"."""

    def plan(self, spec: S, scan: Scan) -> Plan:
        scope = check_scope(spec, scan)
        return Plan(
            {"count": self.count(spec, scan, scope), "scope": count_if(scan.dialect, scope)}
        )

    def count(self, spec: S, scan: Scan, scope: ColumnElement[bool] | None) -> Any:
        """The aggregate counting failing rows in scope (a family may give a cheaper one)."""
        return count_if(scan.dialect, and_all(scope, self.predicate(spec, scan)))

    def measure(self, spec: S, measured: Mapping[str, Any], scan: Scan) -> Measure:
        return Measure(
            value=float(measured["count"] or 0),
            scope=float(measured["scope"] or 0),
            what=self.what(spec),
        )

    def failing(self, spec: S, scan: Scan) -> ColumnElement[bool] | None:
        return and_all(check_scope(spec, scan), self.predicate(spec, scan))
