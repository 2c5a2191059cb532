"""Compiling statements for display and JSON-safe sample rows."""

from __future__ import annotations

import copy
import math
import uuid
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa


def compile_sql(stmt: sa.ClauseElement, dialect: sa.engine.Dialect) -> str:
    """The statement as a person would paste it into the engine's console: values
    inlined where they can be, no driver escaping of % (psycopg's paramstyle)."""
    return literal_sql(stmt, dialect) or str(stmt.compile(dialect=dialect))


def literal_sql(stmt: sa.ClauseElement, dialect: sa.engine.Dialect) -> str | None:
    """The statement with every value inlined, or None when a value cannot be."""
    dialect = copy.copy(dialect)
    dialect._double_percents = False  # type: ignore[attr-defined]
    dialect.identifier_preparer = copy.copy(dialect.identifier_preparer)
    dialect.identifier_preparer._double_percents = False
    if dialect.name == "duckdb":
        # duckdb-engine inherits PostgreSQL's flag; DuckDB strings never escape backslashes
        dialect._backslash_escapes = False  # type: ignore[attr-defined]
    try:
        return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    except (sa.exc.CompileError, NotImplementedError, TypeError, ValueError):
        return None


def execute(conn: sa.Connection, stmt: sa.Select[Any], inline: bool) -> sa.CursorResult[Any]:
    """Run `stmt`; with `inline`, as SQL with the values written in (DuckDB compiles a
    constant regex once, a bound one is measurably slower: bench/bench_checks.py)."""
    if inline:
        sql = literal_sql(stmt, conn.dialect)
        if sql is not None:
            return conn.exec_driver_sql(sql)
    return conn.execute(stmt)


def db_message(exc: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's wrapping."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def json_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): json_safe(v) for k, v in row.items()}
