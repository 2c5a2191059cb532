"""Thresholds, units, severity and messages: the pure evaluation of a measure."""

from __future__ import annotations

import math

import pytest
from pydantic import TypeAdapter

from checks import CheckSpec, parse_threshold
from checks.evaluate import evaluate, human_seconds, worst
from checks.families.base import Measure

SPEC: TypeAdapter[CheckSpec] = TypeAdapter(CheckSpec)


@pytest.mark.parametrize(
    ("text", "shown", "true_for", "false_for"),
    [
        ("> 0", "> 0", [1, 0.5], [0, -1]),
        ("when >= 5%", ">= 5%", [5, 6], [4.99]),
        ("=3", "== 3", [3], [2, 4]),
        ("!= 0", "!= 0", [1], [0]),
        ("< 1e3", "< 1e3", [999], [1000]),
        ("between 1 and 2", "between 1 and 2", [1, 1.5, 2], [0.9, 2.1]),
        ("NOT BETWEEN -1 AND 1", "NOT BETWEEN -1 AND 1", [-2, 2], [-1, 0, 1]),
        ("> 6h", "> 6h", [6 * 3600 + 1], [6 * 3600]),
        ("<= 2d", "<= 2d", [172800], [172801]),
        ("> 1w", "> 1w", [604801], [604800]),
        ("> 30m", "> 30m", [1801], [1800]),
    ],
)
def test_threshold_parsing_and_triggering(
    text: str, shown: str, true_for: list[float], false_for: list[float]
) -> None:
    t = parse_threshold(text)
    assert str(t) == shown
    assert all(t.triggers(v) for v in true_for)
    assert not any(t.triggers(v) for v in false_for)
    assert t.triggers(math.nan)  # an unmeasurable value always triggers


def test_threshold_units() -> None:
    assert parse_threshold("> 5%").percent
    assert parse_threshold("> 6h").unit == "duration"
    assert parse_threshold("> 6").unit is None


def _spec(**kw: object) -> CheckSpec:
    return SPEC.validate_python({"type": "missing", "column": "c", **kw})


def test_count_thresholds_compare_counts_and_percents_separately() -> None:
    m = Measure(value=3, scope=100, what="with c missing")
    v = evaluate(_spec(warn="> 0", fail="> 5%"), m)
    assert (v.outcome, v.value) == ("warn", 3)
    assert v.message == "3 of 100 rows (3.00%) with c missing; warn when > 0"
    v = evaluate(_spec(warn="> 0", fail="> 2%"), m)
    assert (v.outcome, v.message.split("; ")[1]) == ("fail", "fail when > 2%")


def test_value_is_a_percent_when_every_threshold_is_or_unit_says_so() -> None:
    m = Measure(value=3, scope=60, what="x")
    assert evaluate(_spec(fail="> 10%"), m).value == 5.0
    assert evaluate(_spec(unit="percent"), m).value == 5.0
    assert evaluate(_spec(unit="count", fail="> 10%"), m).value == 3


def test_percent_of_an_empty_scope() -> None:
    assert evaluate(_spec(fail="> 5%"), Measure(value=0, scope=0, what="x")).outcome == "pass"
    assert evaluate(_spec(fail="> 5%"), Measure(value=1, scope=0, what="x")).outcome == "fail"


def test_default_fail_and_severity_warn_caps_the_outcome() -> None:
    m = Measure(value=1, scope=10, what="x")
    assert evaluate(_spec(), m).outcome == "fail"
    assert evaluate(_spec(severity="warn"), m).outcome == "warn"
    assert evaluate(_spec(), Measure(value=0, scope=10, what="x")).outcome == "pass"


def test_no_value_fails_with_a_message() -> None:
    spec = SPEC.validate_python(
        {"type": "aggregate", "column": "x", "function": "avg", "fail": "> 1"}
    )
    v = evaluate(spec, Measure(value=None, what="avg(x)", note="no non-NULL x value"))
    assert v.outcome == "fail"
    assert v.message == "avg(x): no value; fail when > 1; no non-NULL x value"


def test_floor_raises_the_outcome() -> None:
    spec = SPEC.validate_python({"type": "schema"})
    assert evaluate(spec, Measure(value=0, what="schema problems", floor="warn")).outcome == "warn"


def test_durations_are_shown_humanly() -> None:
    spec = SPEC.validate_python({"type": "freshness", "column": "t", "fail": "> 1d"})
    v = evaluate(spec, Measure(value=90000, what="age of the newest t", unit="s"))
    assert v.message == "age of the newest t: 1.0d; fail when > 1d"
    assert [human_seconds(s) for s in (5, 90, 7200, -30)] == ["5s", "1.5m", "2.0h", "-30s"]


def test_worst_outcome() -> None:
    assert worst("pass", "warn") == "warn" and worst("fail", "warn") == "fail"
    assert worst("error", "fail") == "error"
