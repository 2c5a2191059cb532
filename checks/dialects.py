"""Dialect differences, recorded once as flags, and the SQL helpers that use them.

SQLite has no stddev, no percentile and no REGEXP of its own: the engine
registers small Python functions on each SQLite connection it uses
(`prepare_sqlite`), and SQLAlchemy's pysqlite dialect already registers a
Python `regexp` (search semantics, like PostgreSQL's `~` and DuckDB's `~`).
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement


@dataclass(frozen=True)
class Dialect:
    name: str
    filter_clause: bool  # aggregate FILTER (WHERE ...)
    row_value_distinct: bool  # count(DISTINCT (a, b))
    python_aggregates: bool  # stddev/percentile come from registered Python functions
    split_distinct: bool = False  # COUNT DISTINCT in a second query (measured faster)
    inline_literals: bool = False  # run SQL with values written in (measured faster)
    concurrent_groups: bool = False  # the split statements run at once, each on a connection


def dialect_of(engine_or_dialect: sa.Engine | sa.engine.Dialect) -> Dialect:
    d = engine_or_dialect.dialect if isinstance(engine_or_dialect, sa.Engine) else engine_or_dialect
    name = d.name
    if name == "sqlite":
        return Dialect(
            "sqlite", filter_clause=True, row_value_distinct=False, python_aggregates=True
        )
    if name in ("postgresql", "duckdb"):
        # bench/bench_checks.py: the suite with COUNT DISTINCT in its own query is faster on
        # both (PostgreSQL then scans the rest in parallel; DuckDB hashes apart). On
        # PostgreSQL faster still with the two running at once (its COUNT DISTINCT is a
        # single-process sort that leaves a core idle); DuckDB already uses every core.
        return Dialect(
            name,
            filter_clause=True,
            row_value_distinct=True,
            python_aggregates=False,
            split_distinct=True,
            inline_literals=name == "duckdb",
            concurrent_groups=name == "postgresql",
        )
    return Dialect(name, filter_clause=False, row_value_distinct=False, python_aggregates=False)


def count_if(d: Dialect, cond: ColumnElement[bool] | None) -> ColumnElement[Any]:
    """Rows for which `cond` is true (NULL counts as false); all rows when cond is None."""
    if cond is None:
        return sa.func.count()
    if d.filter_clause:
        return sa.func.count().filter(cond)
    return sa.func.count(sa.case((cond, 1)))


def agg_if(d: Dialect, fn: Any, expr: ColumnElement[Any], cond: ColumnElement[bool] | None) -> Any:
    """An aggregate of `expr` over the rows where `cond` holds."""
    if cond is None:
        return fn(expr)
    if d.filter_clause:
        return fn(expr).filter(cond)
    return fn(sa.case((cond, expr)))


def stddev(d: Dialect, expr: ColumnElement[Any], cond: ColumnElement[bool] | None) -> Any:
    fn = sa.func.rk_stddev_samp if d.python_aggregates else sa.func.stddev_samp
    return agg_if(d, fn, expr, cond)


def percentile(
    d: Dialect, expr: ColumnElement[Any], p: float, cond: ColumnElement[bool] | None
) -> Any:
    if d.python_aggregates:
        value = sa.case((cond, expr)) if cond is not None else expr
        return sa.func.rk_percentile_cont(value, sa.literal(p, sa.Float))
    agg = sa.func.percentile_cont(sa.literal(p, sa.Float)).within_group(expr)
    return agg.filter(cond) if cond is not None else agg


def seconds_between(
    d: Dialect, later: ColumnElement[Any], earlier: ColumnElement[Any]
) -> ColumnElement[Any]:
    """`later - earlier` in seconds (timestamps or dates), per dialect."""
    if d.name == "sqlite":
        return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400.0
    if d.name == "duckdb":
        return sa.func.epoch(later) - sa.func.epoch(earlier)
    return sa.extract("epoch", later - earlier)


def regex_match(expr: ColumnElement[Any], pattern: str) -> ColumnElement[bool]:
    """Unanchored search, the same on the three engines (write ^...$ to anchor)."""
    return expr.regexp_match(pattern)


class _StddevSamp:
    """Welford's algorithm: the sample standard deviation, like stddev_samp."""

    def __init__(self) -> None:
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def step(self, value: Any) -> None:
        if value is None:
            return
        x = float(value)
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (x - self.mean)

    def finalize(self) -> float | None:
        return math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else None


class _PercentileCont:
    """Linear interpolation between closest ranks, like percentile_cont."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.p = 0.5

    def step(self, value: Any, p: float) -> None:
        self.p = float(p)
        if value is not None:
            self.values.append(float(value))

    def finalize(self) -> float | None:
        if not self.values:
            return None
        xs = sorted(self.values)
        k = self.p * (len(xs) - 1)
        lo, hi = math.floor(k), math.ceil(k)
        return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def prepare_sqlite(dbapi_connection: Any) -> None:
    """Register the Python aggregates on one SQLite connection (idempotent, cheap)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_aggregate("rk_stddev_samp", 1, _StddevSamp)  # type: ignore[arg-type]
        dbapi_connection.create_aggregate("rk_percentile_cont", 2, _PercentileCont)  # type: ignore[arg-type]
