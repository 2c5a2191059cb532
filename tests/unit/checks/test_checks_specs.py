"""Check specs: parsing, derived names, defaults and every validation message."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from checks import ChecksFile, CheckSpec

SPEC: TypeAdapter[CheckSpec] = TypeAdapter(CheckSpec)


def _error(data: object, adapter: TypeAdapter[object] | None = None) -> str:
    with pytest.raises(ValidationError) as info:
        (adapter or SPEC).validate_python(data)
    errors = info.value.errors()
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ({"type": "row_count"}, "row_count"),
        ({"type": "missing", "column": "c"}, "missing(c)"),
        ({"type": "duplicates", "columns": ["a", "b"]}, "duplicates(a,b)"),
        ({"type": "validity", "column": "e", "format": "email"}, "validity(e)"),
        ({"type": "freshness", "column": "t", "fail": "> 1h"}, "freshness(t)"),
        ({"type": "aggregate", "column": "x", "function": "avg", "fail": "< 0"}, "avg(x)"),
        (
            {
                "type": "aggregate",
                "column": "x",
                "function": "percentile",
                "percentile": 0.95,
                "fail": "> 9",
            },
            "p95(x)",
        ),
        ({"type": "condition", "fails_when": "a < b"}, "condition(a < b)"),
        (
            {"type": "reference", "column": "c", "to": {"dataset": "w.d", "column": "id"}},
            "reference(c,w.d)",
        ),
        (
            {"type": "reconciliation", "other": {"dataset": "p.orders"}},
            "reconciliation(row_count,p.orders)",
        ),
        ({"type": "anomaly", "check": "row_count"}, "anomaly(row_count)"),
        (
            {"type": "lateness", "column": "c", "event_column": "e", "max_delay": "6h"},
            "lateness(c,e)",
        ),
        ({"type": "row_count", "name": "volume"}, "volume"),
    ],
)
def test_derived_names_are_stable(data: dict[str, object], name: str) -> None:
    assert SPEC.validate_python(data).check_name == name


def test_default_fail_threshold_per_type() -> None:
    assert str(SPEC.validate_python({"type": "row_count"}).fail_threshold) == "== 0"
    assert str(SPEC.validate_python({"type": "missing", "column": "c"}).fail_threshold) == "> 0"
    only_warn = SPEC.validate_python({"type": "missing", "column": "c", "warn": "> 0"})
    assert only_warn.fail_threshold is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "nope"}, "Input tag 'nope' found using 'type' does not match"),
        ({"type": "validity", "column": "x", "regex": "a("}, "invalid regex 'a(': missing )"),
        ({"type": "validity", "column": "x"}, "validity check on 'x' needs at least one of"),
        ({"type": "validity", "column": "x", "min": 3, "max": 1}, "min (3.0) is above max (1.0)"),
        ({"type": "validity", "column": "x", "accepted_values": []}, "accepted_values is empty"),
        (
            {"type": "validity", "column": "x", "min_length": 3, "max_length": 1},
            "min_length (3) is above max_length (1)",
        ),
        ({"type": "row_count", "fail": "5"}, "threshold '5' has no comparison"),
        ({"type": "row_count", "fail": "about 5"}, "invalid threshold 'about 5'"),
        ({"type": "row_count", "fail": "> 5%"}, "a row_count check takes no percent"),
        ({"type": "missing", "column": "c", "fail": "> 5h"}, "durations only apply to freshness"),
        ({"type": "row_count", "fail": "between 5 and 1"}, "lower bound is above the upper"),
        ({"type": "row_count", "fail": "between 5% and 10"}, "both bounds need the same unit"),
        ({"type": "freshness", "column": "t"}, "a freshness check needs a warn or fail threshold"),
        ({"type": "duplicates"}, "needs either column or columns"),
        (
            {
                "type": "aggregate",
                "column": "x",
                "function": "avg",
                "percentile": 0.5,
                "fail": "> 1",
            },
            "percentile (0 to 1) is required with, and only with",
        ),
        ({"type": "sql_metric", "name": "m", "fail": "> 1"}, "exactly one of expression or query"),
        ({"type": "reference", "column": "c", "to": {"dataset": "w.d"}}, "needs to.column"),
        (
            {"type": "reconciliation", "metric": "sum", "other": {"dataset": "p.o"}},
            "a sum reconciliation needs column and other.column",
        ),
        ({"type": "anomaly", "check": "x", "fail": "> 1"}, "an anomaly check takes no warn/fail"),
        ({"type": "anomaly", "check": "x", "filter": "a > 1"}, "an anomaly check takes no filter"),
        (
            {"type": "row_count", "colour": "red"},
            "row_count.colour: Extra inputs are not permitted",
        ),
        ({"type": "row_count", "fail": 3.5}, "threshold '3.5' has no comparison"),
        ({"type": "row_count", "fail": True}, "threshold must be a string"),
        (
            {"type": "lateness", "column": "c", "event_column": "e", "max_delay": "soon"},
            "invalid duration 'soon': expected a number with s, m, h, d or w",
        ),
    ],
)
def test_spec_errors_name_the_bad_value(data: dict[str, object], message: str) -> None:
    assert message in _error(data)


def _file(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "dataset": "warehouse.fact_orders",
        "checks": [{"type": "row_count"}],
    }
    return {**base, **over}


def test_checks_file_defaults_and_round_trip() -> None:
    f = ChecksFile.model_validate(_file(key_columns=["order_id"]))
    assert f.samples_limit == 10 and f.key_columns == ("order_id",)
    again = ChecksFile.model_validate(f.model_dump(mode="json"))
    assert again == f


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"dataset": "orders"}, "dataset 'orders' must be '<connection>.<table>'"),
        ({"checks": []}, "checks: List should have at least 1 item"),
        (
            {"checks": [{"type": "row_count"}, {"type": "row_count"}]},
            "two checks are named 'row_count'",
        ),
        (
            {"checks": [{"type": "anomaly", "check": "volume"}]},
            "anomaly check 'anomaly(volume)' watches 'volume', which is not a check",
        ),
        ({"samples_limit": -1}, "samples_limit: Input should be greater than or equal to 0"),
    ],
)
def test_checks_file_errors(over: dict[str, object], message: str) -> None:
    assert message in _error(_file(**over), TypeAdapter(ChecksFile))  # type: ignore[arg-type]


def test_json_schema_exports() -> None:
    schema = ChecksFile.model_json_schema()
    assert "checks" in schema["properties"]
