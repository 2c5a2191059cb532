"""What a check run produces: plain data, mapped 1:1 onto the store's `check_results`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

Outcome = Literal["pass", "warn", "fail", "error", "learning"]
Severity = Literal["warn", "error"]


@dataclass(frozen=True)
class CheckResult:
    """One check evaluated once on one dataset.

    `value` is in the unit of the check (rows, percent, seconds, the aggregate);
    `expected_low`/`expected_high` hold an anomaly band; `sql` is the SQL that
    measures this check alone (compiled for the engine, values inlined), and
    the sample query when samples were fetched.
    """

    dataset: str
    name: str
    type: str
    column: str | None
    severity: Severity
    blocking: bool
    outcome: Outcome
    value: float | None
    executed_at: datetime
    warn_threshold: str | None = None
    fail_threshold: str | None = None
    expected_low: float | None = None
    expected_high: float | None = None
    message: str = ""
    sql: str | None = None
    samples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.outcome == "fail"

    @property
    def blocks(self) -> bool:
        """True when this result should fail a pipeline task."""
        return self.outcome in ("fail", "error") and self.blocking and self.severity == "error"

    def as_record(self) -> dict[str, Any]:
        """The `check_results` columns (without run/pipeline/task ids)."""
        return {
            "dataset": self.dataset,
            "check_name": self.name,
            "check_type": self.type,
            "column": self.column,
            "severity": self.severity,
            "outcome": self.outcome,
            "value": self.value,
            "warn_threshold": self.warn_threshold,
            "fail_threshold": self.fail_threshold,
            "expected_low": self.expected_low,
            "expected_high": self.expected_high,
            "message": self.message,
            "sql": self.sql,
            "samples": list(self.samples) or None,
            "executed_at": self.executed_at,
        }


@dataclass(frozen=True)
class SuiteRun:
    """The results of one suite on one dataset, and every statement it issued."""

    results: list[CheckResult]
    queries: tuple[str, ...]

    @property
    def queries_issued(self) -> int:
        return len(self.queries)


class MetricHistory(Protocol):
    """Earlier results, newest first; the monitor implements it on `check_results`."""

    def values(
        self, dataset: str, check_name: str, *, before: datetime, limit: int
    ) -> Sequence[tuple[datetime, float]]:
        """(executed_at, value) of earlier non-NULL values, newest first, before `before`."""
        ...

    def last_samples(
        self, dataset: str, check_name: str, *, before: datetime
    ) -> Sequence[Mapping[str, Any]] | None:
        """Samples of the newest earlier result (schema checks keep their columns there)."""
        ...


class MemoryHistory:
    """A MetricHistory over a list of results (tests, one-off scripts, notebooks)."""

    def __init__(self, results: Sequence[CheckResult] = ()) -> None:
        self.results: list[CheckResult] = list(results)

    def add(self, results: Sequence[CheckResult]) -> None:
        self.results.extend(results)

    def _earlier(self, dataset: str, check_name: str, before: datetime) -> list[CheckResult]:
        rows = [
            r
            for r in self.results
            if r.dataset == dataset and r.name == check_name and r.executed_at < before
        ]
        return sorted(rows, key=lambda r: r.executed_at, reverse=True)

    def values(
        self, dataset: str, check_name: str, *, before: datetime, limit: int
    ) -> Sequence[tuple[datetime, float]]:
        rows = self._earlier(dataset, check_name, before)
        return [(r.executed_at, r.value) for r in rows if r.value is not None][:limit]

    def last_samples(
        self, dataset: str, check_name: str, *, before: datetime
    ) -> Sequence[Mapping[str, Any]] | None:
        rows = self._earlier(dataset, check_name, before)
        return rows[0].samples if rows else None
