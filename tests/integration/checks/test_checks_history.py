"""History-driven checks over real engines: anomalies and schema changes between runs."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from pydantic import TypeAdapter

from checks import CheckSpec, MemoryHistory, run_suite
from tests.integration.checks.conftest import NOW

SPECS: TypeAdapter[list[CheckSpec]] = TypeAdapter(list[CheckSpec])


def test_volume_anomaly_learns_then_judges(engine: sa.Engine) -> None:
    t = sa.Table("events", sa.MetaData(), sa.Column("id", sa.Integer))
    t.create(engine)
    specs = SPECS.validate_python(
        [
            {"type": "row_count", "name": "rows"},
            {"type": "anomaly", "check": "rows", "min_history": 5, "seasonality": "none"},
        ]
    )
    history = MemoryHistory()
    outcomes = []
    for day, n in enumerate([100, 104, 98, 101, 99, 102, 100, 20]):
        with engine.begin() as conn:
            conn.execute(t.delete())
            conn.execute(t.insert(), [{"id": i} for i in range(n)])
        now = NOW + timedelta(days=day)
        results = run_suite(
            engine, "events", specs, dataset="w.events", now=now, history=history
        ).results
        history.add(results)
        outcomes.append(results[1].outcome)
    assert outcomes == ["learning"] * 5 + ["pass", "pass", "fail"]
    last = history.results[-1]
    assert last.name == "anomaly(rows)" and last.value == 20
    assert last.expected_low is not None and last.expected_high is not None
    assert last.expected_low < 98 and 104 < last.expected_high
    assert last.message.startswith("rows = 20: anomaly; expected ")


def test_anomaly_of_an_errored_check_is_an_error(engine: sa.Engine) -> None:
    sa.Table("e2", sa.MetaData(), sa.Column("id", sa.Integer)).create(engine)
    specs = SPECS.validate_python(
        [{"type": "missing", "column": "nope"}, {"type": "anomaly", "check": "missing(nope)"}]
    )
    results = run_suite(engine, "e2", specs, dataset="w.e2", now=NOW).results
    assert results[1].outcome == "error"
    assert results[1].message.startswith("'missing(nope)' has no value to judge: column 'nope'")


def test_schema_change_since_last_run(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE s (id INTEGER, name VARCHAR(20))")
    specs = SPECS.validate_python(
        [
            {
                "type": "schema",
                "required_columns": ["id"],
                "forbidden_columns": ["ssn"],
                "types": {"id": "integer", "name": "string"},
            }
        ]
    )
    history = MemoryHistory()
    first = run_suite(engine, "s", specs, dataset="w.s", now=NOW).results
    history.add(first)
    assert (first[0].outcome, first[0].value) == ("pass", 0)
    assert [s["column"] for s in first[0].samples] == ["id", "name"]
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE s ADD COLUMN ssn VARCHAR(11)")
    later = NOW + timedelta(hours=1)
    second = run_suite(engine, "s", specs, dataset="w.s", now=later, history=history).results
    assert second[0].outcome == "fail" and second[0].value == 1
    assert "forbidden column ssn is present" in second[0].message
    assert "changed since the last run: added ssn" in second[0].message
    history.add(second)
    relaxed = SPECS.validate_python([{"type": "schema", "on_change": "warn"}])
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE s DROP COLUMN name")
    third = run_suite(
        engine, "s", relaxed, dataset="w.s", now=later + timedelta(hours=1), history=history
    ).results
    assert third[0].outcome == "warn" and third[0].value == 0
    assert third[0].message.endswith("changed since the last run: removed name")


def test_schema_wrong_type_family(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE s2 (id VARCHAR(10), amount DOUBLE PRECISION)")
    specs = SPECS.validate_python(
        [{"type": "schema", "types": {"id": "integer", "amount": "number", "gone": "date"}}]
    )
    (r,) = run_suite(engine, "s2", specs, dataset="w.s2", now=NOW).results
    assert r.outcome == "fail" and r.value == 2
    assert "id is VARCHAR" in r.message  # DuckDB's catalog drops the length
    assert "(string), expected integer" in r.message
    assert "missing column gone (expected date)" in r.message
