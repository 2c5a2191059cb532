"""Golden files of the SQL a suite compiles to, per dialect (no database needed).

Regenerate after an intended change: UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/checks -k golden
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb_engine
import pytest
import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.dialects.sqlite import pysqlite

from checks import CheckSpec
from checks.plan import explain_suite

GOLDEN = Path(__file__).parents[2] / "golden" / "checks"
NOW = datetime(2024, 1, 10, 12, tzinfo=UTC)

COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {
    "order_id": sa.BigInteger(),
    "customer_id": sa.BigInteger(),
    "email": sa.String(),
    "total": sa.Float(),
    "status": sa.String(),
    "order_date": sa.Date(),
    "shipped_date": sa.Date(),
    "created_at": sa.DateTime(),
}

SUITE = TypeAdapter(list[CheckSpec]).validate_python(
    [
        {"type": "row_count", "fail": "< 1000"},
        {"type": "missing", "column": "customer_id", "warn": "> 0", "fail": "> 5%"},
        {"type": "missing", "column": "status", "empty_string": True, "values": ["n/a"]},
        {"type": "duplicates", "column": "order_id"},
        {"type": "duplicates", "columns": ["order_id", "customer_id"]},
        {"type": "validity", "column": "email", "format": "email"},
        {"type": "validity", "column": "status", "accepted_values": ["new", "paid", "shipped"]},
        {"type": "validity", "column": "total", "min": 0, "max": 10000},
        {"type": "validity", "column": "order_id", "max_length": 12, "name": "id_length"},
        {
            "type": "reference",
            "column": "customer_id",
            "to": {"dataset": "warehouse.customers", "column": "customer_id"},
        },
        {
            "type": "aggregate",
            "column": "total",
            "function": "avg",
            "fail": "not between 1 and 500",
        },
        {"type": "aggregate", "column": "total", "function": "stddev", "fail": "> 1000"},
        {
            "type": "aggregate",
            "column": "total",
            "function": "percentile",
            "percentile": 0.95,
            "fail": "> 5000",
        },
        {
            "type": "condition",
            "fails_when": "shipped_date < order_date",
            "filter": "status = 'shipped'",
        },
        {"type": "sql_metric", "name": "revenue", "expression": "sum(total)", "fail": "< 1"},
        {"type": "freshness", "column": "created_at", "fail": "> 6h"},
        {
            "type": "lateness",
            "column": "created_at",
            "event_column": "order_date",
            "max_delay": "2d",
        },
        {"type": "reconciliation", "other": {"dataset": "production.orders"}},
        {"type": "schema", "required_columns": ["order_id"]},
        {"type": "anomaly", "check": "row_count"},
    ]
)


def _dialects() -> dict[str, sa.engine.Dialect]:
    pg = psycopg.dialect()
    pg._backslash_escapes = False  # what a connected PostgreSQL (standard strings) reports
    duck = duckdb_engine.Dialect()
    return {"sqlite": pysqlite.dialect(), "duckdb": duck, "postgresql": pg}


@pytest.mark.parametrize("name", ["sqlite", "duckdb", "postgresql"])
def test_generated_sql_matches_the_golden_file(name: str) -> None:
    statements = explain_suite(
        SUITE,
        dataset="warehouse.fact_orders",
        table="fact_orders",
        columns=COLUMNS,
        dialect=_dialects()[name],
        now=NOW,
        filter="status <> 'test'",
        interval=(datetime(2024, 1, 9, tzinfo=UTC), datetime(2024, 1, 10, tzinfo=UTC)),
        interval_column="created_at",
        other_connections=["production"],
    )
    text = "\n;\n\n".join(statements) + "\n"
    path = GOLDEN / f"suite.{name}.sql"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"regenerate with UPDATE_GOLDEN=1 if intended: {path}"
