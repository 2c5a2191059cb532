"""`scheduler:` in riverkeeper.yaml: its errors at line:col, and what flags and
environment variables (given) override."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config.loader import load_project
from monitor.config.project import SchedulerConfig
from monitor.errors import ConfigError
from monitor.scheduler.settings import USER_SETTINGS, SchedulerSettings

NOTHING_GIVEN: dict[str, int | float | bool | None] = dict.fromkeys(USER_SETTINGS)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages show paths relative to the working directory


def issues(root: Path, text: str) -> list[str]:
    (root / "riverkeeper.yaml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_project(root, {})
    return [str(i) for i in caught.value.issues]


def test_bad_scheduler_values_are_config_errors_at_their_position(tmp_path: Path) -> None:
    text = """\
project: t
scheduler:
  workers: 0
  tick: 2s
  lease_ttl: 1s
  heartbeat: 20s
  run_lease_timeout: 20s
  misfire_grace: soon
  max_recoveries: -1
  watch: maybe
  colour: blue
"""
    assert issues(tmp_path, text) == [
        "riverkeeper.yaml:3:12: scheduler.workers: must be at least 1 (got 0)",
        "riverkeeper.yaml:5:14: scheduler.lease_ttl: must be longer than tick (2s) (got '1s')",
        (
            "riverkeeper.yaml:7:22: scheduler.run_lease_timeout: must be longer than "
            "heartbeat (20s) (got '20s')"
        ),
        (
            "riverkeeper.yaml:8:18: scheduler.misfire_grace: not a duration: 'soon' "
            "(use e.g. 30s, 5m, 1h, 2d) (got 'soon')"
        ),
        "riverkeeper.yaml:9:19: scheduler.max_recoveries: must not be negative (got -1)",
        (
            "riverkeeper.yaml:10:10: scheduler.watch: Input should be a valid boolean, "
            "unable to interpret input (got 'maybe')"
        ),
        (
            "riverkeeper.yaml:11:3: scheduler.colour: unknown key 'colour' (allowed: heartbeat, "
            "lease_ttl, max_recoveries, misfire_grace, run_lease_timeout, shutdown_timeout, "
            "tick, watch, workers)"
        ),
    ]


def test_a_longer_heartbeat_alone_is_refused_against_the_default_lease_timeout(
    tmp_path: Path,
) -> None:
    assert issues(tmp_path, "scheduler:\n  heartbeat: 90s\n") == [
        (
            "riverkeeper.yaml:2:3: scheduler.run_lease_timeout: must be longer than "
            "heartbeat (90s) (not set; the default is 60s)"
        )
    ]


def test_the_section_loads_durations_and_defaults_to_the_built_in_settings(
    tmp_path: Path,
) -> None:
    (tmp_path / "riverkeeper.yaml").write_text(
        "scheduler: {workers: 3, heartbeat: 1m, run_lease_timeout: 5m, watch: false}\n"
    )
    section = load_project(tmp_path, {}).spec.scheduler
    assert section.settings(NOTHING_GIVEN) == SchedulerSettings(
        workers=3, heartbeat=60, run_lease_timeout=300, watch=False
    )
    assert SchedulerConfig().settings(NOTHING_GIVEN) == SchedulerSettings()


def test_a_given_value_wins_over_the_section_and_none_leaves_it() -> None:
    section = SchedulerConfig.model_validate({"workers": 3, "tick": "2s", "watch": False})
    given = {**NOTHING_GIVEN, "workers": 5, "tick": None, "watch": True, "max_recoveries": 0}
    settings = section.settings(given)
    assert (settings.workers, settings.tick, settings.watch) == (5, 2.0, True)
    assert (settings.max_recoveries, settings.heartbeat) == (0, 10.0)  # given 0; built in


def test_a_given_value_that_breaks_a_rule_with_the_section_is_refused() -> None:
    section = SchedulerConfig.model_validate({"heartbeat": "20s", "run_lease_timeout": "30s"})
    with pytest.raises(
        ValueError, match=r"run_lease_timeout must be longer than heartbeat \(40s\)"
    ):
        section.settings({**NOTHING_GIVEN, "heartbeat": 40})


def test_the_section_has_exactly_the_settings_a_user_may_set() -> None:
    assert tuple(SchedulerConfig.model_fields) == USER_SETTINGS


def test_the_example_project_lists_the_built_in_defaults() -> None:
    example = Path(__file__).resolve().parents[3] / "config"
    assert load_project(example, {}).spec.scheduler == SchedulerConfig()
