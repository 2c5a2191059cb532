"""From a measure to an outcome and a message: thresholds, units, severity (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from checks.families.base import Measure
from checks.result import Outcome
from checks.specs import CheckSpec
from checks.thresholds import Threshold

_RANK: dict[Outcome, int] = {"pass": 0, "learning": 0, "warn": 1, "fail": 2, "error": 3}


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    value: float | None
    message: str


def worst(a: Outcome, b: Outcome) -> Outcome:
    return a if _RANK[a] >= _RANK[b] else b


def percent_of(value: float, scope: float) -> float:
    if scope:
        return 100.0 * value / scope
    return 0.0 if value == 0 else math.inf


def human_seconds(seconds: float) -> str:
    sign, s = ("-" if seconds < 0 else ""), abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if s >= size:
            return f"{sign}{s / size:.1f}{unit}"
    return f"{sign}{s:.0f}s"


def describe(m: Measure) -> str:
    if m.value is None:
        return f"{m.what}: no value"
    if m.scope is not None and m.relative:
        pct = percent_of(m.value, m.scope)
        return f"{m.what} = {m.value:g} ({pct:.2f}% of {m.scope:g})"
    if m.scope is not None:
        return f"{m.value:g} of {m.scope:g} rows ({percent_of(m.value, m.scope):.2f}%) {m.what}"
    if m.unit == "s":
        return f"{m.what}: {human_seconds(m.value)}"
    return f"{m.what} = {m.value:g}"


def evaluate(spec: CheckSpec, m: Measure) -> Verdict:
    """Apply the check's thresholds to what was measured."""
    pct = percent_of(m.value, m.scope) if m.value is not None and m.scope is not None else None

    def hit(t: Threshold) -> bool:
        if m.value is None:
            return True
        if t.percent:
            return t.triggers(pct if pct is not None else math.nan)
        return t.triggers(m.value)

    outcome: Outcome = "pass"
    fail_t, warn_t = spec.fail_threshold, spec.warn
    verdict = ""
    if fail_t is not None and hit(fail_t):
        outcome, verdict = "fail", f"fail when {fail_t}"
    elif warn_t is not None and hit(warn_t):
        outcome, verdict = "warn", f"warn when {warn_t}"
    if m.floor is not None and _RANK[m.floor] > _RANK[outcome]:
        outcome = m.floor
    if spec.severity == "warn" and outcome == "fail":
        outcome, verdict = "warn", f"{verdict} (severity warn: warns only)"
    value = m.value
    if pct is not None and spec.value_unit == "percent":
        value = pct
    parts = [describe(m)]
    if verdict:
        parts.append(verdict)
    if m.note:
        parts.append(m.note)
    return Verdict(outcome, value, "; ".join(parts))
