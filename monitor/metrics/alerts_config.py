"""Loading `alerts.yaml` with the project's YAML reader (positions, `${ENV}`, all errors)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alerts.config import AlertsConfig
from monitor.config.yamlfile import read_yaml, validate
from monitor.errors import ConfigError, ConfigIssue

ALERTS_FILE = "alerts.yaml"


def load_alerts_config(
    config_dir: Path, _spec: Any, env: Mapping[str, str], issues: list[ConfigIssue]
) -> AlertsConfig:
    """The alerts of a config folder (none when alerts.yaml is absent); issues appended."""
    path = config_dir / ALERTS_FILE
    if not path.is_file():
        return AlertsConfig()
    doc, found = read_yaml(path, env)
    issues += found
    if doc is None:
        return AlertsConfig()
    model, found = validate(doc, AlertsConfig)
    issues += found
    if model is None:
        return AlertsConfig()
    issues += [doc.issue(loc, message) for loc, message in model.problems()]
    return model


def read_alerts_config(config_dir: Path, env: Mapping[str, str]) -> AlertsConfig:
    """Load alerts.yaml alone; raise ConfigError listing every issue."""
    issues: list[ConfigIssue] = []
    config = load_alerts_config(config_dir, None, env, issues)
    if issues:
        raise ConfigError(issues)
    return config


def register() -> None:
    """Make `load_project` load alerts.yaml too (as `project.extras["alerts"]`)."""
    from monitor.config.loader import EXTRA_LOADERS

    EXTRA_LOADERS.setdefault("alerts", load_alerts_config)
