"""Each rule kind evaluated over metric samples, as its PromQL would be.

The built-in evaluator reads the very samples the collector exports, so a
rule means the same with or without Prometheus. `active(rule, view, now)`
returns the label sets (the series labels) for which the condition holds,
with the value `$value` would have.
"""

from __future__ import annotations

import operator
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import singledispatch
from typing import Any, Protocol

from alerts import metrics as m
from alerts.config import (
    CheckFailedRule,
    DatasetStaleRule,
    ErrorRateRule,
    PipelineStaleRule,
    RuleBase,
    ThresholdRule,
)

Labels = tuple[tuple[str, str], ...]
Series = dict[Labels, float]
OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


class MetricFamily(Protocol):
    """What a prometheus-client Metric offers: `samples` with name, labels, value."""

    samples: list[Any]


class SampleView:
    """The samples of one scrape, by sample name, plus a counter history for windows."""

    def __init__(self, families: Iterable[MetricFamily], history: CounterHistory) -> None:
        self.series: dict[str, Series] = defaultdict(dict)
        for family in families:
            for sample in family.samples:
                # as in Prometheus, an empty label value is no label at all
                labels = tuple(sorted((k, v) for k, v in sample.labels.items() if v != ""))
                self.series[sample.name][labels] = sample.value
        self.history = history

    def select(self, name: str, matchers: dict[str, str | list[str]]) -> Series:
        out = {}
        for labels, value in self.series.get(name, {}).items():
            have = dict(labels)
            if all(_matches(have.get(k, ""), want) for k, want in matchers.items()):
                out[labels] = value
        return out


def _matches(value: str, want: str | list[str]) -> bool:
    if isinstance(want, str):
        return value == want
    return not want or value in want


class CounterHistory:
    """Past samples of the counters that windowed rules need (PromQL's increase())."""

    def __init__(self, names: Iterable[str], keep: timedelta) -> None:
        self.names = set(names)
        self.keep = keep
        self.points: deque[tuple[datetime, dict[str, Series]]] = deque()

    def record(self, at: datetime, series: dict[str, Series]) -> None:
        self.points.append((at, {n: dict(series.get(n, {})) for n in self.names}))
        while self.points and self.points[0][0] < at - self.keep:
            self.points.popleft()

    def increase(self, name: str, now: datetime, window: timedelta) -> Series:
        """Per series: newest value minus the oldest value inside the window."""
        inside = [(t, s[name]) for t, s in self.points if now - window <= t <= now]
        if len(inside) < 2:
            return {}
        first, last = inside[0][1], inside[-1][1]
        out = {}
        for labels, value in last.items():
            if labels in first:
                start = first[labels]
                out[labels] = value - start if value >= start else value  # a reset
        return out


@singledispatch
def active(rule: RuleBase, view: SampleView, now: datetime) -> Series:
    raise TypeError(f"no evaluation for rule type {type(rule).__name__}")


@active.register
def _(rule: PipelineStaleRule, view: SampleView, now: datetime) -> Series:
    limit, t = rule.max_age.total_seconds(), now.timestamp()
    series = view.select(m.LAST_SUCCESS, {"pipeline": rule.pipelines})
    return {k: t - v for k, v in series.items() if t - v > limit}


@active.register
def _(rule: DatasetStaleRule, view: SampleView, now: datetime) -> Series:
    limit = rule.max_age.total_seconds()
    series = view.select(m.DATA_FRESHNESS, {"dataset": rule.datasets})
    return {k: v for k, v in series.items() if v > limit}


@active.register
def _(rule: ErrorRateRule, view: SampleView, now: datetime) -> Series:
    increase = view.history.increase(m.RECORDS_PROCESSED_TOTAL, now, rule.window)
    bad: dict[Labels, float] = defaultdict(float)
    every: dict[Labels, float] = defaultdict(float)
    for labels, delta in increase.items():
        have = dict(labels)
        if not _matches(have.get("pipeline", ""), rule.pipelines):
            continue
        key = (("pipeline", have.get("pipeline", "")),)  # sum by (pipeline)
        every[key] += delta
        if have.get("status") in rule.statuses:
            bad[key] += delta
    ratios = {k: bad[k] / every[k] for k in every if every[k] > 0}
    return {k: r for k, r in ratios.items() if r > rule.max_ratio}


@active.register
def _(rule: CheckFailedRule, view: SampleView, now: datetime) -> Series:
    code = m.OUTCOME_CODES[rule.min_outcome]
    series = view.select(
        m.CHECK_STATUS, {"severity": rule.check_severities, "dataset": rule.datasets}
    )
    return {k: v for k, v in series.items() if v >= code}


@active.register
def _(rule: ThresholdRule, view: SampleView, now: datetime) -> Series:
    matchers: dict[str, str | list[str]] = dict(rule.match)
    if rule.check is not None:
        matchers.update(dataset=rule.check.dataset, check=rule.check.check)
        name = m.CHECK_VALUE
    else:
        assert rule.metric is not None
        name = rule.metric
    compare = OPS[rule.op]
    return {k: v for k, v in view.select(name, matchers).items() if compare(v, rule.value)}
