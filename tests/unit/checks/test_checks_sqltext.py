"""Pure helpers: JSON-safe sample values, DuckDB type names, display SQL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import psycopg

from checks.catalog import duckdb_type
from checks.scan import type_family
from checks.sqltext import compile_sql, json_safe


def test_json_safe_values() -> None:
    u = uuid.UUID(int=1)
    assert [json_safe(v) for v in (None, True, 3, "é", 1.5, float("nan"), Decimal("2.50"))] == [
        None,
        True,
        3,
        "é",
        1.5,
        None,
        2.5,
    ]
    assert json_safe(datetime(2024, 1, 2, 3, tzinfo=UTC)) == "2024-01-02T03:00:00+00:00"
    assert json_safe(date(2024, 1, 2)) == "2024-01-02" and json_safe(time(1, 2)) == "01:02:00"
    assert json_safe(timedelta(minutes=2)) == 120.0
    assert json_safe(b"\x01\xff") == "01ff" and json_safe(u) == str(u)
    assert json_safe(object.__new__(type("Odd", (), {"__str__": lambda s: "odd"}))) == "odd"


def test_duckdb_type_names_map_to_families() -> None:
    cases = {
        "BIGINT": "integer",
        "INTEGER": "integer",
        "HUGEINT": "integer",
        "DOUBLE": "number",
        "DECIMAL(18,3)": "number",
        "VARCHAR": "string",
        "BOOLEAN": "boolean",
        "DATE": "date",
        "TIMESTAMP": "timestamp",
        "TIMESTAMP WITH TIME ZONE": "timestamp",
        "TIMESTAMP_NS": "timestamp",
        "STRUCT(a INTEGER)": "other",
        "INTEGER[]": "other",
    }
    assert {name: type_family(duckdb_type(name)) for name in cases} == cases
    assert duckdb_type("TIMESTAMP WITH TIME ZONE").timezone  # type: ignore[attr-defined]
    assert not duckdb_type("TIMESTAMP").timezone  # type: ignore[attr-defined]


def test_display_sql_is_what_a_person_pastes() -> None:
    t = sa.table("t", sa.column("s", sa.String))
    stmt = sa.select(sa.func.count()).where(t.c.s.regexp_match(r"^a%\.b$"))
    dialect = psycopg.dialect()
    dialect._backslash_escapes = False
    sql = compile_sql(stmt, dialect)
    assert "t.s ~ '^a%\\.b$'" in sql  # no %% (driver escaping), one backslash
    assert dialect.identifier_preparer._double_percents  # the real dialect is left alone
