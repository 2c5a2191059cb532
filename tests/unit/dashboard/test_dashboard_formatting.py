"""How values read on the pages, the threshold lines and the settings from the environment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from dashboard import formatting as fmt
from dashboard.settings import Settings, SettingsError, from_env
from dashboard.thresholds import lines

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (float("nan"), ""),
        (0.25, "0.2s"),
        (42, "42s"),
        (185, "3m 05s"),
        (timedelta(hours=2, minutes=10), "2h 10m"),
        (timedelta(days=3, hours=4), "3d 4h"),
        (-90, "-1m 30s"),
    ],
)
def test_duration(value: object, text: str) -> None:
    assert fmt.duration(value) == text  # type: ignore[arg-type]


def test_ago_and_numbers() -> None:
    assert fmt.ago(NOW - timedelta(minutes=5), NOW) == "5m 00s ago"
    assert fmt.ago(NOW + timedelta(minutes=2), NOW) == "in 2m 00s"
    assert fmt.ago(None, NOW) == "never"
    assert fmt.number(1234567) == "1,234,567"
    assert fmt.number(3.14159) == "3.142"
    assert fmt.number(None) == ""


def test_styled_paints_known_values_only() -> None:
    df = pd.DataFrame({"state": ["failed", "success", "odd"], "other": ["failed", "x", "y"]})
    html = fmt.styled(df, ["state", "missing"]).to_html()
    assert html.count("background-color: #ffcdd2") == 1  # "failed" in state, not in other
    assert "background-color: #c8e6c9" in html


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("> 10", [10.0]),
        ("when >= 5", [5.0]),
        ("between 1 and 20", [1.0, 20.0]),
        ("> 6h", [21600.0]),
        ("> 5%", []),
        ("nonsense", []),
        (None, []),
        ("", []),
    ],
)
def test_threshold_lines(text: str | None, values: list[float]) -> None:
    assert lines(text) == values


def test_settings_from_env() -> None:
    config = from_env({"RIVERKEEPER_STORE_URL": "sqlite:///x.db"})
    assert config == Settings("sqlite:///x.db", None, 30.0)
    config = from_env(
        {
            "RIVERKEEPER_STORE_URL": "sqlite:///x.db",
            "RIVERKEEPER_DASHBOARD_PASSWORD": "s3cret",
            "RIVERKEEPER_DASHBOARD_REFRESH": "5",
        }
    )
    assert config.refresh_seconds == 5.0
    assert config.check_password("s3cret")
    assert not config.check_password("s3cre")
    assert not config.check_password("")
    assert "s3cret" not in repr(config) and "sqlite" not in repr(config)
    assert Settings("u").check_password("anything")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {},
            (
                "RIVERKEEPER_STORE_URL is not set: start the dashboard with "
                "`riverkeeper dashboard`, which points it at the project's store"
            ),
        ),
        (
            {"RIVERKEEPER_STORE_URL": "u", "RIVERKEEPER_DASHBOARD_REFRESH": "soon"},
            "RIVERKEEPER_DASHBOARD_REFRESH='soon' is not a number of seconds",
        ),
        (
            {"RIVERKEEPER_STORE_URL": "u", "RIVERKEEPER_DASHBOARD_REFRESH": "0.5"},
            "RIVERKEEPER_DASHBOARD_REFRESH='0.5' must be at least 1 second",
        ),
    ],
)
def test_settings_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as err:
        from_env(env)
    assert str(err.value) == message
