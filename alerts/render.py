"""Prometheus rule files and an Alertmanager config, rendered from `AlertsConfig`."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from alerts import promql
from alerts.config import (
    AlertsConfig,
    Channel,
    EmailChannel,
    LogChannel,
    RuleBase,
    SlackChannel,
    WebhookChannel,
    format_duration,
)

RULES_FILE = "riverkeeper.rules.yml"
ALERTMANAGER_FILE = "alertmanager.yml"
GROUP = "riverkeeper"
HIDDEN_URL = "http://hidden.invalid/"


def _dump(data: Any) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def rule_labels(rule: RuleBase) -> dict[str, str]:
    return {"severity": rule.severity, **rule.labels}


def prometheus_rule(rule: RuleBase) -> dict[str, Any]:
    expr = promql.expr(rule)
    out: dict[str, Any] = {
        "alert": rule.name,
        "expr": LiteralScalarString(expr + "\n") if "\n" in expr else expr,
    }
    if rule.for_.total_seconds() > 0:
        out["for"] = format_duration(rule.for_)
    out["labels"] = rule_labels(rule)
    out["annotations"] = promql.rule_annotations(rule)
    return out


def render_rules(config: AlertsConfig) -> str:
    """The Prometheus rule file (YAML) for every rule of the config."""
    rules = [prometheus_rule(r) for r in config.rules]
    group = {"name": GROUP, "interval": format_duration(config.evaluation_interval), "rules": rules}
    return _dump({"groups": [group]})


def _secret(value: SecretStr, reveal: bool, placeholder: str) -> str:
    return value.get_secret_value() if reveal else placeholder


def _receiver(name: str, channel: Channel, reveal: bool) -> dict[str, Any]:
    receiver: dict[str, Any] = {"name": name}
    if isinstance(channel, WebhookChannel):
        receiver["webhook_configs"] = [
            {
                "url": _secret(channel.url, reveal, HIDDEN_URL),
                "send_resolved": channel.send_resolved,
            }
        ]
    elif isinstance(channel, SlackChannel):
        slack: dict[str, Any] = {
            "api_url": _secret(channel.webhook_url, reveal, HIDDEN_URL),
            "send_resolved": channel.send_resolved,
            "username": channel.username,
            "title": "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}",
            "text": "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}",
        }
        if channel.channel:
            slack["channel"] = channel.channel
        receiver["slack_configs"] = [slack]
    elif isinstance(channel, EmailChannel):
        email: dict[str, Any] = {
            "to": ", ".join(channel.to),
            "from": channel.from_,
            "smarthost": f"{channel.smtp_host}:{channel.smtp_port}",
            "require_tls": channel.starttls or channel.tls,
            "send_resolved": channel.send_resolved,
        }
        if channel.username:
            email["auth_username"] = channel.username
        if channel.password is not None:
            email["auth_password"] = _secret(channel.password, reveal, "hidden")
        receiver["email_configs"] = [email]
    else:
        assert isinstance(channel, LogChannel)  # Alertmanager has no log: a silent receiver
    return receiver


def render_alertmanager(config: AlertsConfig, reveal_secrets: bool = False) -> str:
    """An Alertmanager config routing each rule to its channels, grouped as configured.

    Secrets are replaced by placeholders unless `reveal_secrets` (files with
    secrets belong in a protected place, not in a repository).
    """
    g = config.grouping
    routes = []
    for name in config.channels:
        rules = [r.name for r in config.rules if name in config.routing_of(r)]
        if rules:
            routes.append(
                {
                    "receiver": name,
                    "matchers": [promql.selector("", {"alertname": sorted(rules)})[1:-1]],
                    "continue": True,
                }
            )
    route: dict[str, Any] = {
        "receiver": "blackhole",
        "group_by": list(g.group_by),
        "group_wait": format_duration(g.group_wait),
        "group_interval": format_duration(g.group_interval),
        "repeat_interval": format_duration(g.repeat_interval),
        "routes": routes,
    }
    receivers = [{"name": "blackhole"}] + [
        _receiver(name, channel, reveal_secrets) for name, channel in config.channels.items()
    ]
    return _dump({"route": route, "receivers": receivers})


def render(config: AlertsConfig, out: Path, reveal_secrets: bool = False) -> list[Path]:
    """Write the rule file and the Alertmanager config into `out`; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        RULES_FILE: render_rules(config),
        ALERTMANAGER_FILE: render_alertmanager(config, reveal_secrets),
    }
    paths = []
    for name, text in files.items():
        path = out / name
        path.write_text(text)
        paths.append(path)
    return paths
