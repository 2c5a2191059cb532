"""PromQL for each rule kind, and the default annotations of each kind."""

from __future__ import annotations

import re
from functools import singledispatch

from alerts import metrics as m
from alerts.config import (
    CheckFailedRule,
    DatasetStaleRule,
    ErrorRateRule,
    PipelineStaleRule,
    RuleBase,
    ThresholdRule,
    format_duration,
)

_RE2_SPECIAL = re.compile(r"([.+*?()|\[\]{}^$\\])")


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def selector(metric: str, matchers: dict[str, str | list[str]]) -> str:
    """`metric{a="x",b=~"y|z"}`; list values match any of their items exactly."""
    parts = []
    for label, want in matchers.items():
        if isinstance(want, str):
            parts.append(f"{label}={_quote(want)}")
        elif len(want) == 1:
            parts.append(f"{label}={_quote(want[0])}")
        elif want:
            alternatives = "|".join(_RE2_SPECIAL.sub(r"\\\1", w) for w in want)
            parts.append(f"{label}=~{_quote(alternatives)}")
    return f"{metric}{{{','.join(parts)}}}" if parts else metric


@singledispatch
def expr(rule: RuleBase) -> str:
    raise TypeError(f"no PromQL for rule type {type(rule).__name__}")


@expr.register
def _(rule: PipelineStaleRule) -> str:
    series = selector(m.LAST_SUCCESS, {"pipeline": rule.pipelines})
    return f"time() - {series} > {number(rule.max_age.total_seconds())}"


@expr.register
def _(rule: DatasetStaleRule) -> str:
    series = selector(m.DATA_FRESHNESS, {"dataset": rule.datasets})
    return f"{series} > {number(rule.max_age.total_seconds())}"


@expr.register
def _(rule: ErrorRateRule) -> str:
    window = format_duration(rule.window)
    bad = selector(
        m.RECORDS_PROCESSED_TOTAL, {"status": list(rule.statuses), "pipeline": rule.pipelines}
    )
    every = selector(m.RECORDS_PROCESSED_TOTAL, {"pipeline": rule.pipelines})
    return (
        f"(\n  sum by (pipeline) (increase({bad}[{window}]))\n/\n"
        f"  sum by (pipeline) (increase({every}[{window}]))\n) > {number(rule.max_ratio)}"
    )


@expr.register
def _(rule: CheckFailedRule) -> str:
    series = selector(m.CHECK_STATUS, {"severity": rule.check_severities, "dataset": rule.datasets})
    return f"{series} >= {m.OUTCOME_CODES[rule.min_outcome]}"


@expr.register
def _(rule: ThresholdRule) -> str:
    if rule.check is not None:
        metric = m.CHECK_VALUE
        matchers: dict[str, str | list[str]] = {
            "dataset": rule.check.dataset,
            "check": rule.check.check,
        }
    else:
        assert rule.metric is not None
        metric, matchers = rule.metric, {}
    matchers.update(rule.match)
    return f"{selector(metric, matchers)} {rule.op} {number(rule.value)}"


def default_annotations(rule: RuleBase) -> dict[str, str]:
    """What an alert says when the config gives no annotations."""
    if isinstance(rule, PipelineStaleRule):
        age = format_duration(rule.max_age)
        return {
            "summary": f"Pipeline {{{{ $labels.pipeline }}}} has not succeeded for over {age}",
            "description": "Last success {{ $value | humanizeDuration }} ago.",
        }
    if isinstance(rule, DatasetStaleRule):
        age = format_duration(rule.max_age)
        return {
            "summary": f"Data in {{{{ $labels.dataset }}}} is older than {age}",
            "description": "The newest data is {{ $value | humanizeDuration }} old.",
        }
    if isinstance(rule, ErrorRateRule):
        return {
            "summary": f"Pipeline {{{{ $labels.pipeline }}}} error rate above "
            f"{number(rule.max_ratio * 100)}%",
            "description": "Failure ratio is {{ $value | humanizePercentage }} over "
            f"{format_duration(rule.window)}.",
        }
    if isinstance(rule, CheckFailedRule):
        return {
            "summary": "Check {{ $labels.check }} on {{ $labels.dataset }} failed",
            "description": "Latest outcome code {{ $value }} (1 warn, 2 fail, 3 error).",
        }
    assert isinstance(rule, ThresholdRule)
    what = f"{rule.check.dataset} {rule.check.check}" if rule.check else rule.metric
    return {
        "summary": f"{what} {rule.op} {number(rule.value)}",
        "description": "Value is {{ $value }}.",
    }


def rule_annotations(rule: RuleBase) -> dict[str, str]:
    return {**default_annotations(rule), **rule.annotations}
