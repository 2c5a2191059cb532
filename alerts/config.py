"""Alert rules and channels as written in `config/alerts.yaml` (pydantic v2).

One definition feeds both back ends: `alerts.render` writes Prometheus rules
and an Alertmanager config from it, `alerts.Evaluator` evaluates it itself.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SecretStr,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from alerts import templating

_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w)")
_UNIT = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_duration(value: Any) -> timedelta:
    """A Prometheus duration ("90s", "1h30m", "25h") or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    text = str(value).strip()
    parts = _DURATION.findall(text)
    if not text or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"invalid duration {text!r}; use e.g. 30s, 5m, 1h30m, 2d")
    return timedelta(seconds=sum(int(n) * _UNIT[u] for n, u in parts))


def format_duration(value: timedelta) -> str:
    """The shortest Prometheus spelling of a duration (0s, 90s -> 1m30s, 25h -> 1d1h)."""
    ms = round(value.total_seconds() * 1000)
    if ms == 0:
        return "0s"
    out = []
    for unit, size in (("w", 604800000), ("d", 86400000), ("h", 3600000), ("m", 60000)):
        n, ms = divmod(ms, size)
        if n:
            out.append(f"{n}{unit}")
    s, ms = divmod(ms, 1000)
    if s:
        out.append(f"{s}s")
    if ms:
        out.append(f"{ms}ms")
    return "".join(out)


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^(\d+(ms|s|m|h|d|w))+$"},
                {"type": "number", "minimum": 0},
            ],
            "description": "A Prometheus duration (30s, 5m, 1h30m, 2d) or seconds.",
        }
    ),
]


class Model(BaseModel):
    # defaults are written as in the file ("5m") and validated like it
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, validate_default=True
    )


# ---- channels ---------------------------------------------------------------------------


class ChannelBase(Model):
    send_resolved: bool = True


class WebhookChannel(ChannelBase):
    """POSTs Alertmanager's webhook JSON (version 4)."""

    type: Literal["webhook"]
    url: SecretStr  # may carry a token
    headers: dict[str, SecretStr] = {}
    timeout: float = Field(10.0, gt=0)


class SlackChannel(ChannelBase):
    """A Slack incoming webhook."""

    type: Literal["slack"]
    webhook_url: SecretStr
    channel: str | None = None
    username: str = "Riverkeeper"
    timeout: float = Field(10.0, gt=0)


class EmailChannel(ChannelBase):
    """Mail over SMTP (STARTTLS or implicit TLS optional)."""

    type: Literal["email"]
    to: list[str] = Field(min_length=1)
    from_: str = Field(alias="from")
    smtp_host: str
    smtp_port: int = Field(25, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    tls: bool = False
    timeout: float = Field(10.0, gt=0)


class LogChannel(ChannelBase):
    """Writes notifications to the service log."""

    type: Literal["log"]
    level: Literal["info", "warning", "error"] = "warning"


Channel = Annotated[
    WebhookChannel | SlackChannel | EmailChannel | LogChannel, Field(discriminator="type")
]


class Grouping(Model):
    """How notifications are grouped and repeated (Alertmanager's route settings)."""

    group_by: list[str] = ["alertname", "pipeline", "dataset"]
    group_wait: Duration = "30s"  # type: ignore[assignment]  # validated (validate_default)
    group_interval: Duration = "5m"  # type: ignore[assignment]
    repeat_interval: Duration = "4h"  # type: ignore[assignment]


# ---- rules ------------------------------------------------------------------------------


class RuleBase(Model):
    name: str = Field(pattern=NAME)
    for_: Duration = Field("0s", alias="for")  # type: ignore[assignment]
    severity: Literal["info", "warning", "critical"] = "warning"
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    routing: list[str] = []  # channel names; empty: the config's default_routing

    @field_validator("labels")
    @classmethod
    def _label_names(cls, labels: dict[str, str]) -> dict[str, str]:
        for key in labels:
            if not LABEL.match(key) or key in ("alertname", "severity"):
                raise ValueError(f"invalid label name {key!r}")
        return labels

    @field_validator("annotations")
    @classmethod
    def _templates(cls, annotations: dict[str, str]) -> dict[str, str]:
        for key, text in annotations.items():
            try:
                templating.validate(text)
            except templating.TemplateError as exc:
                raise ValueError(f"annotation {key!r}: {exc}") from None
        return annotations


class PipelineStaleRule(RuleBase):
    """No successful run of a pipeline within `max_age`."""

    type: Literal["pipeline_stale"]
    max_age: Duration
    pipelines: list[str] = []  # empty: every pipeline


class DatasetStaleRule(RuleBase):
    """The newest data of a dataset (its freshness check) is older than `max_age`."""

    type: Literal["dataset_stale"]
    max_age: Duration
    datasets: list[str] = []


class ErrorRateRule(RuleBase):
    """Failed (and rejected) records over all records in a window, above `max_ratio`."""

    type: Literal["error_rate"]
    max_ratio: float = Field(gt=0, lt=1)
    window: Duration = "5m"  # type: ignore[assignment]
    statuses: list[Literal["failure", "rejected"]] = Field(["failure", "rejected"], min_length=1)
    pipelines: list[str] = []


class CheckFailedRule(RuleBase):
    """The latest result of a check is at least `min_outcome` (warn < fail < error)."""

    type: Literal["check_failed"]
    min_outcome: Literal["warn", "fail", "error"] = "fail"
    check_severities: list[str] = []  # the checks' own severity; empty: any
    datasets: list[str] = []


class CheckRef(Model):
    dataset: str
    check: str


class ThresholdRule(RuleBase):
    """A metric (or a check's measured value) compared with a number."""

    type: Literal["threshold"]
    metric: str | None = Field(None, pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
    check: CheckRef | None = None
    match: dict[str, str] = {}  # label = value matchers on the metric
    op: Literal["<", "<=", ">", ">=", "==", "!="]
    value: float

    @model_validator(mode="after")
    def _one_source(self) -> ThresholdRule:
        if (self.metric is None) == (self.check is None):
            raise ValueError("give exactly one of `metric` or `check`")
        return self


Rule = Annotated[
    PipelineStaleRule | DatasetStaleRule | ErrorRateRule | CheckFailedRule | ThresholdRule,
    Field(discriminator="type"),
]


class AlertsConfig(Model):
    channels: dict[str, Channel] = {}
    default_routing: list[str] = []
    grouping: Grouping = Grouping()
    external_url: str = "http://127.0.0.1:9108"  # shown as externalURL in notifications
    # How often rules are evaluated: the Prometheus rule group's `interval`, and the
    # built-in evaluator's pace inside `serve`.
    evaluation_interval: Duration = "15s"  # type: ignore[assignment]
    rules: list[Rule] = []

    def problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Cross-references that do not resolve: (location in the file, message)."""
        out: list[tuple[tuple[str | int, ...], str]] = []
        known = ", ".join(sorted(self.channels)) or "(none)"
        seen: set[str] = set()
        for i, rule in enumerate(self.rules):
            if rule.name in seen:
                out.append((("rules", i, "name"), f"rule name {rule.name!r} is used twice"))
            seen.add(rule.name)
        places: list[tuple[tuple[str | int, ...], list[str]]] = [
            (("default_routing",), self.default_routing)
        ]
        places += [(("rules", i, "routing"), r.routing) for i, r in enumerate(self.rules)]
        for loc, routing in places:
            for j, channel in enumerate(routing):
                if channel not in self.channels:
                    out.append(((*loc, j), f"unknown channel {channel!r}; known: {known}"))
        return out

    def check(self) -> AlertsConfig:
        """Raise ValueError when a cross-reference does not resolve."""
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(f"{'.'.join(map(str, loc))}: {m}" for loc, m in problems))
        return self

    def routing_of(self, rule: RuleBase) -> list[str]:
        return rule.routing or self.default_routing
