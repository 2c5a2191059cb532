"""Anomaly math: robust band, window, seasonality, learning, own value excluded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import TypeAdapter

from checks import CheckSpec
from checks.anomaly import detect, is_anomalous, robust_band, training_values
from checks.specs import AnomalyCheck

NOW = datetime(2024, 3, 4, 6, tzinfo=UTC)  # a Monday


def _spec(**kw: object) -> AnomalyCheck:
    spec = TypeAdapter(CheckSpec).validate_python({"type": "anomaly", "check": "rows", **kw})
    assert isinstance(spec, AnomalyCheck)
    return spec


def daily(values: list[float], end: datetime = NOW) -> list[tuple[datetime, float]]:
    """Newest first, one per day before `end`."""
    return [(end - timedelta(days=i + 1), v) for i, v in enumerate(values)]


def test_median_and_mad_band() -> None:
    band = robust_band([10, 11, 12, 13, 100], sensitivity=3)
    # median 12, MAD = median(2,1,0,1,88) = 1 -> sigma 1.4826
    assert band.median == 12
    assert abs(band.low - (12 - 3 * 1.4826)) < 1e-9 and abs(band.high - (12 + 3 * 1.4826)) < 1e-9
    assert band.points == 5


def test_constant_history_falls_back_to_mean_deviation() -> None:
    band = robust_band([5, 5, 5, 5, 9], sensitivity=2)
    assert band.median == 5
    assert abs(band.high - (5 + 2 * 1.2533 * 0.8)) < 1e-9
    flat = robust_band([7, 7, 7], sensitivity=3)
    assert (flat.low, flat.high) == (7, 7)


def test_learning_until_min_history() -> None:
    band, anomalous = detect(1000, daily([10] * 6), NOW, _spec(min_history=7))
    assert band is None and not anomalous
    band, anomalous = detect(1000, daily([10] * 7), NOW, _spec(min_history=7))
    assert band is not None and anomalous


def test_outside_the_window_and_the_current_run_are_not_in_the_baseline() -> None:
    old = [(NOW - timedelta(days=40 + i), 1e6) for i in range(20)]
    current = [(NOW, 1e9)]  # the value of this very run, already stored by a retry
    history = current + daily([100, 102, 98, 101, 99, 100, 103]) + old
    values, seasonal = training_values(history, NOW, _spec(window_days=28)) or ([], True)
    assert sorted(values) == [98, 99, 100, 100, 101, 102, 103] and not seasonal


def test_weekly_seasonality_when_enough_same_weekday_history() -> None:
    # Mondays are 10x the other days; 10 weeks of daily history
    history = daily(
        [1000 if (NOW - timedelta(days=i + 1)).weekday() == 0 else 100 for i in range(70)]
    )
    spec = _spec(window_days=70, min_history=7)
    band, anomalous = detect(1000, history, NOW, spec)
    assert band is not None and band.seasonal and not anomalous
    band, anomalous = detect(100, history, NOW, spec)
    assert anomalous  # a Monday at a weekday's volume is an anomaly
    no_season = _spec(window_days=70, min_history=7, seasonality="none")
    band, anomalous = detect(1000, history, NOW, no_season)
    assert band is not None and not band.seasonal and anomalous


def test_forced_weekly_seasonality_learns_until_enough_weekdays() -> None:
    band, _ = detect(5, daily([5.0] * 20), NOW, _spec(seasonality="weekly"))
    assert band is None


def test_direction() -> None:
    band = robust_band([10, 11, 9, 10, 10], sensitivity=3)
    assert is_anomalous(20, band, "up") and not is_anomalous(0, band, "up")
    assert is_anomalous(0, band, "down") and not is_anomalous(20, band, "down")
    assert is_anomalous(0, band, "both") and is_anomalous(20, band, "both")
    assert not is_anomalous(10, band, "both")
