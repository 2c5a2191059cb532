"""Annotation templates render as Prometheus (Go text/template) renders them."""

from __future__ import annotations

import pytest

from alerts import templating
from alerts.templating import TemplateError, go_float, humanize, humanize_duration, render


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (7200.0, "7200"),
        (0.5, "0.5"),
        (1.25, "1.25"),
        (1795604400.0, "1795604400"),
        (1e21, "1e+21"),
        (0.00001, "1e-05"),
        (0.0001, "0.0001"),
        (-3.0, "-3"),
        (0.0, "0"),
        (float("nan"), "NaN"),
        (float("inf"), "+Inf"),
    ],
)
def test_value_prints_like_go(value: float, text: str) -> None:
    assert go_float(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3660, "1h 1m 0s"),
        (90061, "1d 1h 1m 1s"),
        (59.5, "59.5s"),
        (0, "0s"),
        (0.25, "250ms"),
        (125, "2m 5s"),
        (-3660, "-1h 1m 0s"),
    ],
)
def test_humanize_duration(value: float, text: str) -> None:
    assert humanize_duration(value) == text


@pytest.mark.parametrize(
    ("value", "text"), [(12000, "12k"), (1234567, "1.235M"), (0.002, "2m"), (999, "999"), (0, "0")]
)
def test_humanize(value: float, text: str) -> None:
    assert humanize(value) == text


def test_render_all_actions() -> None:
    text = (
        "{{ $labels.pipeline }} at {{$value}}; {{ $value | humanizePercentage }}; "
        '{{ printf "%.2f" $value }}; {{ $labels.missing }}.'
    )
    assert render(text, {"pipeline": "orders"}, 0.025) == "orders at 0.025; 2.5%; 0.03; ."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ .Labels.pipeline }}", "unsupported template action {{ .Labels.pipeline }}"),
        ("{{ $value | title }}", "unsupported template action {{ $value | title }}"),
        ("{{ $labels.x ", "unbalanced braces in '{{ $labels.x '"),
    ],
)
def test_unsupported_templates_are_rejected(text: str, message: str) -> None:
    with pytest.raises(TemplateError) as err:
        templating.validate(text)
    assert str(err.value).startswith(message)
