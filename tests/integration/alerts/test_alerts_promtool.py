"""Rendered rules pass promtool; each rule kind behaves as expected in Prometheus
(`promtool test rules`) and in the built-in evaluator, on the same inputs."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from alerts import AlertsConfig, Evaluator, render, render_rules
from alerts.state import FIRING
from monitor.metrics import read_alerts_config
from tests.integration.alerts.alerts_cases import CASES, Case, at_minute, families_at, promtool_test
from tests.support import require_binary

ROOT = Path(__file__).parents[3]


def _yaml(data: Any) -> str:
    out = io.StringIO()
    YAML().dump(data, out)
    return out.getvalue()


def _config(case: Case) -> AlertsConfig:
    return AlertsConfig.model_validate({"rules": [case.rule], **case.extra_config})


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


def test_rendered_example_rules_pass_promtool_check(tmp_path: Path) -> None:
    promtool = require_binary("promtool")
    config = read_alerts_config(ROOT / "config", {})
    rules, _ = render(config, tmp_path)
    result = _run([promtool, "check", "rules", str(rules)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(config.rules)} rules found" in result.stdout


def test_rendered_example_rules_match_the_golden_file(tmp_path: Path) -> None:
    golden = ROOT / "tests" / "golden" / "alerts"
    config = read_alerts_config(ROOT / "config", {})
    render(config, tmp_path)
    for name in ("riverkeeper.rules.yml", "alertmanager.yml"):
        text = (tmp_path / name).read_text()
        if os.environ.get("UPDATE_GOLDEN"):
            (golden / name).write_text(text)
        assert text == (golden / name).read_text(), name


def test_rendered_alertmanager_configs_pass_amtool(tmp_path: Path) -> None:
    amtool = require_binary("amtool")
    config = read_alerts_config(ROOT / "config", {})
    _, am = render(config, tmp_path)
    for path in (am, ROOT / "alerts" / "alertmanager.example.yml"):
        result = _run([amtool, "check-config", str(path)])
        assert result.returncode == 0, result.stdout + result.stderr
        assert "SUCCESS" in result.stdout


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_promtool_unit_tests_per_rule_kind(case: Case, tmp_path: Path) -> None:
    promtool = require_binary("promtool")
    (tmp_path / "rules.yml").write_text(render_rules(_config(case)))
    (tmp_path / "test.yml").write_text(_yaml(promtool_test(case, "rules.yml")))
    result = _run([promtool, "test", "rules", str(tmp_path / "test.yml")])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_promtool_tests_can_fail(tmp_path: Path) -> None:
    """A wrong expectation makes promtool fail, so the tests above prove something."""
    promtool = require_binary("promtool")
    case = CASES[0]
    (tmp_path / "rules.yml").write_text(render_rules(_config(case)))
    test = promtool_test(case, "rules.yml")
    wrong = test["tests"][0]["alert_rule_test"][-1]["exp_alerts"][0]
    wrong["exp_labels"] = {**wrong["exp_labels"], "pipeline": "billing"}
    (tmp_path / "test.yml").write_text(_yaml(test))
    result = _run([promtool, "test", "rules", str(tmp_path / "test.yml")])
    assert result.returncode == 1
    assert "billing" in result.stdout + result.stderr


class _Collect:
    name = "collect"

    def send(self, notification: object) -> None:  # pragma: no cover - not routed here
        raise AssertionError("no channel is routed in these cases")


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_built_in_evaluator_agrees_with_promtool_cases(case: Case) -> None:
    config = _config(case)
    minutes = max(case.expect)
    evaluator = Evaluator(config, lambda now: families_at(case, round(now.timestamp() / 60)), {})
    for minute in range(minutes + 1):
        evaluator.tick(at_minute(minute))
        if minute not in case.expect:
            continue
        firing = [
            {
                "labels": {k: v for k, v in i.labels.items() if k != "alertname"},
                "annotations": i.annotations,
            }
            for i in evaluator.instances.values()
            if i.state == FIRING
        ]
        assert firing == case.expect[minute], f"minute {minute}"
