"""`riverkeeper serve` settings through the real command line: a flag wins over its
RIVERKEEPER_* variable, which wins over `scheduler:` in riverkeeper.yaml, which wins
over the built-in default. Each case breaks the heartbeat rule on purpose, so `serve`
names the values it would run with and stops before it opens the store."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from monitor.cli import app
from monitor.errors import UsageError
from tests.integration.scheduler.sched_projects import write_project

VARIABLES = [
    "RIVERKEEPER_WORKERS",
    "RIVERKEEPER_TICK",
    "RIVERKEEPER_LEASE_TTL",
    "RIVERKEEPER_HEARTBEAT",
    "RIVERKEEPER_RUN_LEASE_TIMEOUT",
    "RIVERKEEPER_MISFIRE_GRACE",
    "RIVERKEEPER_MAX_RECOVERIES",
    "RIVERKEEPER_SHUTDOWN_TIMEOUT",
    "RIVERKEEPER_WATCH",
]


@pytest.fixture(autouse=True)
def _root_log_level() -> Iterator[None]:
    level = logging.getLogger().level
    yield
    logging.getLogger().setLevel(level)  # serve raises it to INFO


def refusal(tmp_path: Path, scheduler: dict[str, Any], *flags: str, **env: str) -> str:
    """Run `serve` and return its usage error (it must not start)."""
    config = write_project(tmp_path, f"sqlite:///{tmp_path / 'store.db'}", {}, scheduler=scheduler)
    environment: dict[str, str | None] = {**dict.fromkeys(VARIABLES), **env}
    result = CliRunner().invoke(
        app, ["--config", str(config), "serve", "--no-metrics", *flags], env=environment
    )
    assert isinstance(result.exception, UsageError), result.output
    assert not (tmp_path / "store.db").exists()
    return str(result.exception)


def test_the_environment_wins_over_the_config_file(tmp_path: Path) -> None:
    scheduler = {"heartbeat": "20s", "run_lease_timeout": "30s"}
    message = refusal(tmp_path, scheduler, RIVERKEEPER_RUN_LEASE_TIMEOUT="15")
    assert message == (
        "scheduler settings (flags and RIVERKEEPER_* variables over riverkeeper.yaml): "
        "run_lease_timeout must be longer than heartbeat (20s) (got 15s)"
    )


def test_a_flag_wins_over_the_environment(tmp_path: Path) -> None:
    scheduler = {"heartbeat": "20s", "run_lease_timeout": "30s"}
    message = refusal(
        tmp_path, scheduler, "--run-lease-timeout", "12", RIVERKEEPER_RUN_LEASE_TIMEOUT="15"
    )
    assert message.endswith("run_lease_timeout must be longer than heartbeat (20s) (got 12s)")


def test_without_the_section_the_built_in_default_holds(tmp_path: Path) -> None:
    message = refusal(tmp_path, {}, "--run-lease-timeout", "5")
    assert message.endswith("run_lease_timeout must be longer than heartbeat (10s) (got 5s)")


def test_help_names_each_variable_and_the_config_default() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for variable in VARIABLES:
        assert f"[env var: {variable}]" in result.output
    assert "(default: scheduler.workers of the config, else 8)" in result.output
    assert "(default: scheduler.watch of the config, else true)" in result.output
