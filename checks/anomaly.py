"""Anomaly detection on a stored metric: a robust band from history (pure functions).

The band is median ± sensitivity × σ̂ where σ̂ = 1.4826 × MAD (the median absolute
deviation, scaled to match a normal σ); when the MAD is 0 (over half the values
equal) σ̂ falls back to 1.2533 × the mean absolute deviation. Only values inside
the training window and strictly before `now` are used, so the current value is
never in its own baseline. With weekly seasonality the baseline is the values on
the same weekday (UTC), used when there are at least `min_history` of them
(`seasonality: auto`) or always (`weekly`, "learning" until then).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from checks.specs import AnomalyCheck


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    median: float
    points: int
    seasonal: bool

    def describe(self) -> str:
        basis = "same weekday" if self.seasonal else "all"
        return (
            f"expected {self.low:g} to {self.high:g} (median {self.median:g} of {self.points} "
            f"earlier values, {basis})"
        )


def training_values(
    history: Sequence[tuple[datetime, float]], now: datetime, spec: AnomalyCheck
) -> tuple[list[float], bool] | None:
    """The baseline values and whether they are seasonal; None while learning."""
    start = now - timedelta(days=spec.window_days)
    points = [(t, v) for t, v in history if start <= t < now and math.isfinite(v)]
    if spec.seasonality != "none":
        same = [v for t, v in points if t.weekday() == now.weekday()]
        if len(same) >= spec.min_history:
            return same, True
        if spec.seasonality == "weekly":
            return None
    values = [v for _, v in points]
    return (values, False) if len(values) >= spec.min_history else None


def robust_band(values: Sequence[float], sensitivity: float, seasonal: bool = False) -> Band:
    median = statistics.median(values)
    deviations = [abs(v - median) for v in values]
    sigma = 1.4826 * statistics.median(deviations)
    if sigma == 0:
        sigma = 1.2533 * statistics.fmean(deviations)
    width = sensitivity * sigma
    return Band(median - width, median + width, median, len(values), seasonal)


def is_anomalous(value: float, band: Band, direction: str) -> bool:
    above, below = value > band.high, value < band.low
    if direction == "up":
        return above
    if direction == "down":
        return below
    return above or below


def detect(
    value: float | None,
    history: Sequence[tuple[datetime, float]],
    now: datetime,
    spec: AnomalyCheck,
) -> tuple[Band | None, bool]:
    """(band, anomalous); band None means still learning."""
    training = training_values(history, now, spec)
    if training is None:
        return None, False
    band = robust_band(training[0], spec.sensitivity, training[1])
    return band, value is None or is_anomalous(value, band, spec.direction)
