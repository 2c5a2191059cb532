"""Run-time errors name the dataset, check and column, and never stop the other checks."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from pydantic import TypeAdapter

from checks import CheckConfigError, CheckSpec, run_suite, run_suite_on_frame
from tests.integration.checks.conftest import NOW

SPECS: TypeAdapter[list[CheckSpec]] = TypeAdapter(list[CheckSpec])


def _run(engine: sa.Engine, checks: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    run = run_suite(
        engine, "orders", SPECS.validate_python(checks), dataset="w.orders", now=NOW, **kw
    )
    return {r.name: r for r in run.results}


BROKEN: list[tuple[dict[str, Any], str]] = [
    (
        {"type": "missing", "column": "custmer_id"},
        (
            "column 'custmer_id' does not exist in w.orders (did you mean 'customer_id'?); "
            "columns: order_id, customer_id"
        ),
    ),
    (
        {"type": "validity", "column": "status", "min": 1},
        "min/max need a numeric column; 'status' is string",
    ),
    (
        {"type": "validity", "column": "total", "accepted_values": ["a"]},
        "accepted value 'a' is not a number; 'total' is number",
    ),
    (
        {"type": "missing", "column": "total", "values": ["n/a"]},
        "missing value 'n/a' is not a number; 'total' is number",
    ),
    (
        {"type": "aggregate", "column": "status", "function": "avg", "fail": "> 1"},
        "avg needs a numeric column; 'status' is string",
    ),
    (
        {"type": "freshness", "column": "total", "fail": "> 1h"},
        "freshness needs a date or timestamp column; 'total' is number",
    ),
    (
        {"type": "sql_metric", "name": "bad", "expression": "sum(no_such_column)", "fail": "> 1"},
        "the check's SQL failed on w.orders:",
    ),
    (
        {"type": "sql_metric", "name": "badq", "query": "SELECT nope FROM nowhere", "fail": "> 1"},
        "the check's SQL failed on its dataset:",
    ),
    (
        {"type": "condition", "fails_when": "total <", "name": "badc"},
        "the check's SQL failed on w.orders:",
    ),
    (
        {
            "type": "reference",
            "column": "customer_id",
            "to": {"dataset": "crm.customers", "column": "customer_id"},
        },
        (
            "reference check 'broken9': crm.customers is on connection "
            "'crm', not in the same database as w.orders"
        ),
    ),
    (
        {"type": "reconciliation", "other": {"dataset": "nowhere.orders"}},
        "the check's SQL failed on its dataset:",
    ),
    (
        {"type": "condition", "fails_when": "a < b", "columns": ["a"]},
        "column 'a' does not exist in w.orders",
    ),
]


def test_broken_checks_error_alone_with_a_message_naming_the_cause(
    orders_engine: sa.Engine,
) -> None:
    crm = sa.create_engine("sqlite://")
    checks = [{**c, "name": f"broken{i}"} for i, (c, _) in enumerate(BROKEN)]
    results = _run(orders_engine, [{"type": "row_count"}, *checks], other_engines={"crm": crm})
    problems = [
        f"broken{i}: {results[f'broken{i}'].outcome}: {results[f'broken{i}'].message}"
        for i, (_, message) in enumerate(BROKEN)
        if results[f"broken{i}"].outcome != "error" or message not in results[f"broken{i}"].message
    ]
    assert not problems, "\n".join(problems)
    assert results["row_count"].outcome == "pass" and results["row_count"].value == 10


def test_missing_table_errors_every_check(engine: sa.Engine) -> None:
    run = run_suite(
        engine, "nope", SPECS.validate_python([{"type": "row_count"}]), dataset="w.nope", now=NOW
    )
    assert [(r.outcome, r.message) for r in run.results] == [
        ("error", "table 'nope' does not exist in w.nope")
    ]


def test_unknown_connection_for_reconciliation(orders_engine: sa.Engine) -> None:
    results = _run(
        orders_engine,
        [{"type": "reconciliation", "other": {"dataset": "src.orders"}}],
        other_engines={"src": orders_engine},
    )
    assert results["reconciliation(row_count,src.orders)"].outcome == "pass"


def test_bad_key_or_interval_column(orders_engine: sa.Engine) -> None:
    from datetime import timedelta

    r = _run(orders_engine, [{"type": "row_count"}], key_columns=["id"])
    assert r["row_count"].message == "key column 'id' does not exist in w.orders"
    r = _run(
        orders_engine,
        [{"type": "row_count"}],
        interval=(NOW - timedelta(days=1), NOW),
        interval_column="ts",
    )
    assert r["row_count"].message == "interval column 'ts' does not exist in w.orders"


def test_duplicate_names_and_naive_now_are_refused(orders_engine: sa.Engine) -> None:
    specs = SPECS.validate_python([{"type": "row_count"}, {"type": "row_count"}])
    with pytest.raises(CheckConfigError, match="w.orders: two checks are named 'row_count'"):
        run_suite(orders_engine, "orders", specs, dataset="w.orders", now=NOW)
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        run_suite(
            orders_engine, "orders", specs[:1], dataset="w.orders", now=NOW.replace(tzinfo=None)
        )


def test_frame_strings_in_a_timestamp_check() -> None:
    frame = pd.DataFrame({"t": ["yesterday"]})
    specs = SPECS.validate_python([{"type": "freshness", "column": "t", "fail": "> 1d"}])
    (r,) = run_suite_on_frame(frame, specs, dataset="f.x", now=NOW).results
    assert r.outcome == "error"
    assert r.message == "column 't' holds 'yesterday', which is not a date or timestamp"
