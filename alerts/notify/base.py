"""What a notifier gets (one group of alerts) and Alertmanager's webhook JSON of it."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote

from alerts.state import FIRING, AlertInstance

ZERO_TIME = "0001-01-01T00:00:00Z"


class NotifyError(Exception):
    """A channel could not deliver; the message never holds a secret."""

    def __init__(self, channel: str, reason: str) -> None:
        self.channel, self.reason = channel, reason
        super().__init__(f"channel {channel!r}: {reason}")


@dataclass(frozen=True)
class Notification:
    receiver: str  # the channel name
    group_key: str
    group_labels: dict[str, str]
    alerts: tuple[AlertInstance, ...]  # firing first, then resolved
    external_url: str

    @property
    def status(self) -> str:
        return FIRING if any(a.state == FIRING for a in self.alerts) else "resolved"

    @property
    def firing(self) -> list[AlertInstance]:
        return [a for a in self.alerts if a.state == FIRING]

    @property
    def resolved(self) -> list[AlertInstance]:
        return [a for a in self.alerts if a.state != FIRING]

    def common(self, attr: str) -> dict[str, str]:
        maps: list[dict[str, str]] = [getattr(a, attr) for a in self.alerts]
        if not maps:
            return {}
        return {k: v for k, v in maps[0].items() if all(x.get(k) == v for x in maps[1:])}


class Notifier(Protocol):
    name: str

    def send(self, notification: Notification) -> None:
        """Deliver or raise NotifyError."""
        ...


def rfc3339(value: datetime | None) -> str:
    if value is None:
        return ZERO_TIME
    text = value.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def webhook_payload(n: Notification) -> dict[str, Any]:
    """Alertmanager's webhook body, version 4."""
    return {
        "receiver": n.receiver,
        "status": n.status,
        "alerts": [
            {
                "status": FIRING if a.state == FIRING else "resolved",
                "labels": a.labels,
                "annotations": a.annotations,
                "startsAt": rfc3339(a.fired_at or a.active_at),
                "endsAt": rfc3339(a.resolved_at if a.state != FIRING else None),
                "generatorURL": f"{n.external_url}/alerts?rule={quote(a.rule)}",
                "fingerprint": a.fingerprint,
            }
            for a in n.alerts
        ],
        "groupLabels": n.group_labels,
        "commonLabels": n.common("labels"),
        "commonAnnotations": n.common("annotations"),
        "externalURL": n.external_url,
        "version": "4",
        "groupKey": n.group_key,
        "truncatedAlerts": 0,
    }


def summary_lines(n: Notification) -> Iterable[str]:
    """One line per alert, for the text channels (Slack, email, log)."""
    for a in n.alerts:
        state = "FIRING" if a.state == FIRING else "RESOLVED"
        text = a.annotations.get("summary") or a.labels.get("alertname", a.rule)
        yield f"[{state}] {a.rule} ({a.severity}): {text}"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret value replaced (error messages may quote URLs)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class _Redact(logging.Filter):
    """Replaces channel secrets in log records (httpx logs every request URL at INFO)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            text = record.getMessage()
            if any(secret in text for secret in self.secrets):
                record.msg, record.args = scrub(text, self.secrets), None
        return True


_REDACT = _Redact()


def redact_in_logs(secrets: Iterable[str], loggers: Iterable[str] = ("httpx", "httpcore")) -> None:
    """Never let these values reach the log through the HTTP libraries' own logging."""
    _REDACT.secrets.update(s for s in secrets if s)
    for name in loggers:
        logger = logging.getLogger(name)
        if _REDACT not in logger.filters:
            logger.addFilter(_REDACT)
