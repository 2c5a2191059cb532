"""`riverkeeper alerts render | status` through the real CLI app."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli import app
from monitor.metrics import build_evaluator, read_alerts_config
from tests.integration.alerts.alerts_rows import add_check, store
from tests.support import require_binary

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).parents[3]


def invoke(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def test_render_prints_the_rules() -> None:
    result = invoke("--config", str(ROOT / "config"), "alerts", "render")
    assert result.exit_code == 0, result.output
    assert result.output == (ROOT / "tests/golden/alerts/riverkeeper.rules.yml").read_text()


def test_render_writes_files_that_promtool_accepts(tmp_path: Path) -> None:
    promtool = require_binary("promtool")
    result = invoke("--config", str(ROOT / "config"), "alerts", "render", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"wrote 8 rules to {tmp_path / 'riverkeeper.rules.yml'} "
        f"and routes to {tmp_path / 'alertmanager.yml'}\n"
    )
    check = subprocess.run(
        [promtool, "check", "rules", str(tmp_path / "riverkeeper.rules.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_render_reports_config_errors_with_exit_code_2(tmp_path: Path) -> None:
    (tmp_path / "alerts.yaml").write_text("rules:\n  - {name: X, type: pipeline_stale}\n")
    args = [sys.executable, "-m", "monitor", "--config", str(tmp_path), "alerts", "render"]
    result = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 2, result.stderr
    assert result.stderr.endswith(
        "alerts.yaml:2:5: rules.0.max_age: missing required key 'max_age'\n1 config error\n"
    )


def test_status_lists_the_stored_alerts(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = store(url)
    from sqlalchemy.orm import Session

    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    with Session(engine) as s, s.begin():
        add_check(s, "production.orders", "missing(customer_id)", "fail", 12.0, now)
    build_evaluator(engine, read_alerts_config(config, {})).tick(now)
    engine.dispose()
    env = {"RIVERKEEPER_STORE_URL": url}
    result = invoke("--config", str(config), "alerts", "status", "--json", env=env)
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert (row["rule"], row["state"], row["labels"]["check"]) == (
        "CheckFailed",
        "firing",
        "missing(customer_id)",
    )
    table = invoke("--config", str(config), "alerts", "status", env=env)
    assert "CheckFailed" in table.output and "firing" in table.output
