"""alerts.yaml: models, durations, and every error with its file, line and column."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from alerts import AlertsConfig
from alerts.config import format_duration, parse_duration
from monitor.errors import ConfigError
from monitor.metrics import read_alerts_config

ROOT = Path(__file__).parents[3]


@pytest.mark.parametrize(
    ("text", "seconds", "back"),
    [
        ("90s", 90, "1m30s"),
        ("1h30m", 5400, "1h30m"),
        ("25h", 90000, "1d1h"),
        ("0s", 0, "0s"),
        ("2w", 1209600, "2w"),
        ("1500ms", 1.5, "1s500ms"),
        (300, 300, "5m"),
    ],
)
def test_durations(text: str | int, seconds: float, back: str) -> None:
    value = parse_duration(text)
    assert value == timedelta(seconds=seconds)
    assert format_duration(value) == back


@pytest.mark.parametrize("text", ["", "5", "1 h", "5min", "h1"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match=f"invalid duration {text!r}; use e.g. 30s, 5m"):
        parse_duration(text)


def test_the_example_project_alerts_load() -> None:
    config = read_alerts_config(ROOT / "config", {})
    kinds = {type(r).__name__ for r in config.rules}
    assert kinds == {
        "PipelineStaleRule",
        "DatasetStaleRule",
        "ErrorRateRule",
        "CheckFailedRule",
        "ThresholdRule",
    }
    assert config.routing_of(config.rules[0]) == ["log"]
    assert config.grouping.group_wait == timedelta(seconds=30)


def test_a_missing_alerts_file_means_no_alerts(tmp_path: Path) -> None:
    assert read_alerts_config(tmp_path, {}) == AlertsConfig()


def _errors(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> list[str]:
    (tmp_path / "alerts.yaml").write_text(text)
    with pytest.raises(ConfigError) as err:
        read_alerts_config(tmp_path, env or {})
    return [str(i).removeprefix(str(tmp_path / "alerts.yaml")) for i in err.value.issues]


def test_every_error_is_reported_with_its_position(tmp_path: Path) -> None:
    text = """\
channels:
  hook:
    type: webhook
    url: ${HOOK_URL}
    colour: red
  mail:
    type: email
    to: []
    from: a@b
    smtp_host: localhost
rules:
  - name: Stale
    type: pipeline_stale
    max_age: 25 hours
  - name: Bad
    type: nonsense
  - name: T
    type: threshold
    op: "<"
    value: 2
  - name: C
    type: check_failed
    annotations:
      summary: "{{ .Labels.x }}"
"""
    assert _errors(tmp_path, text) == [
        ":4:10: channels.hook.url: environment variable HOOK_URL is not set",
        (
            ":5:5: channels.hook.colour: unknown key 'colour' (allowed: headers, send_resolved, "
            "timeout, type, url)"
        ),
        ":8:9: channels.mail.to: List should have at least 1 item after validation, not 0",
        (
            ":14:14: rules.0.max_age: invalid duration '25 hours'; use e.g. 30s, 5m, 1h30m, 2d "
            "(got '25 hours')"
        ),
        (
            ":16:11: rules.1.type: unknown type 'nonsense' (expected one of: pipeline_stale, "
            "dataset_stale, error_rate, check_failed, threshold)"
        ),
        ":17:5: rules.2.threshold: give exactly one of `metric` or `check`",
        (
            ":24:7: rules.3.annotations: annotation 'summary': unsupported template action "
            "{{ .Labels.x }}; use $labels.NAME, $value, $value | "
            'humanize|humanizeDuration|humanizePercentage, or printf "%.2f" $value'
        ),
    ]


def test_cross_references_are_checked(tmp_path: Path) -> None:
    text = """\
channels:
  hook: {type: webhook, url: "${HOOK_URL}"}
rules:
  - {name: Stale, type: pipeline_stale, max_age: 25h}
  - {name: Stale, type: check_failed, routing: [hook, pager]}
default_routing: [nope]
"""
    assert _errors(tmp_path, text, {"HOOK_URL": "http://127.0.0.1:1/"}) == [
        ":5:12: rules.1.name: rule name 'Stale' is used twice",
        ":5:55: rules.1.routing.1: unknown channel 'pager'; known: hook",
        ":6:19: default_routing.0: unknown channel 'nope'; known: hook",
    ]
    config = AlertsConfig.model_validate(
        {"rules": [{"name": "S", "type": "pipeline_stale", "max_age": "1h", "routing": ["x"]}]}
    )
    with pytest.raises(
        ValueError, match=r"rules\.0\.routing\.0: unknown channel 'x'; known: \(none\)"
    ):
        config.check()


def test_secrets_are_hidden_in_the_model() -> None:
    config = AlertsConfig.model_validate(
        {"channels": {"s": {"type": "slack", "webhook_url": "https://hooks.slack.com/T/B/secret"}}}
    )
    assert "secret" not in repr(config)
    assert "secret" not in str(config.model_dump())


def test_json_schema_describes_durations_as_written() -> None:
    from alerts import AlertsFile

    schema = AlertsFile.model_json_schema(mode="validation")
    for_ = schema["$defs"]["PipelineStaleRule"]["properties"]["for"]
    assert for_["default"] == "0s"
    assert {"type": "string", "pattern": r"^(\d+(ms|s|m|h|d|w))+$"} in for_["anyOf"]
    assert schema["$defs"]["Grouping"]["properties"]["repeat_interval"]["default"] == "4h"
    assert AlertsConfig().grouping.repeat_interval == timedelta(hours=4)
