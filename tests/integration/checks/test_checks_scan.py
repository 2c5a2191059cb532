"""How a suite's scan reaches the database: on PostgreSQL the COUNT DISTINCT statement
runs at the same time as the aggregate scan, on a second pooled connection; DuckDB (which
uses every core for one statement) and SQLite run the statements in turn on one."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import TypeAdapter

from checks import CheckSpec, run_suite
from checks.frame import frame_engine
from tests.integration.checks.conftest import NOW, ORDERS, ROWS

SPECS = TypeAdapter(list[CheckSpec]).validate_python(
    [
        {"type": "row_count"},
        {"type": "duplicates", "column": "order_id", "name": "dup"},
        {"type": "missing", "column": "customer_id", "name": "missing"},
        {
            "type": "sql_metric",
            "name": "broken",
            "expression": "sum(no_such_column)",
            "fail": "> 0",
        },
    ]
)


def _checkouts(engine: sa.Engine) -> list[str]:
    threads: list[str] = []
    sa.event.listen(engine, "checkout", lambda *_: threads.append(threading.current_thread().name))
    return threads


def test_split_statements_run_at_once_on_postgresql(
    orders_engine: sa.Engine,
) -> None:
    threads = _checkouts(orders_engine)
    run = run_suite(orders_engine, "orders", SPECS, dataset="w.orders", now=NOW)
    results = {r.name: r for r in run.results}
    # the broken metric fails the first scan: every check then runs alone, and only it errors
    assert (results["dup"].outcome, results["dup"].value) == ("fail", 3.0)
    assert (results["missing"].outcome, results["missing"].value) == ("fail", 2.0)
    assert results["broken"].outcome == "error"
    assert "no_such_column" in results["broken"].message
    scanners = [t for t in threads if t.startswith("checks-scan")]
    assert len(scanners) == (orders_engine.dialect.name == "postgresql"), threads


def test_the_dataframe_path_keeps_one_connection() -> None:
    engine = frame_engine()
    ORDERS.create(engine)
    cols = [c.name for c in ORDERS.columns]
    with engine.begin() as conn:
        conn.execute(ORDERS.insert(), [dict(zip(cols, r, strict=True)) for r in ROWS])
    threads = _checkouts(engine)
    specs: Any = SPECS[:3]
    run = run_suite(engine, "orders", specs, dataset="w.orders", now=NOW)
    assert {r.name: r.value for r in run.results} == {"row_count": 10, "dup": 3, "missing": 2}
    assert not [t for t in threads if t.startswith("checks-scan")]
    assert run.queries_issued == 5  # catalog, scan, COUNT DISTINCT, two sample queries
    engine.dispose()


@pytest.mark.parametrize("url", ["duckdb:///:memory:", "sqlite://"])
def test_in_memory_databases_are_never_split_across_connections(url: str) -> None:
    from checks.engine import _pooled

    assert not _pooled(sa.create_engine(url))
