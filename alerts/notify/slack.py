"""Slack incoming-webhook notifier (a JSON POST with text and colored attachments)."""

from __future__ import annotations

from typing import Any

import httpx

from alerts.config import SlackChannel
from alerts.notify.base import Notification, NotifyError, redact_in_logs, scrub
from alerts.state import FIRING

COLORS = {"critical": "#d93f0b", "warning": "#fbca04", "info": "#0e8a16"}
RESOLVED_COLOR = "#2eb886"


def slack_payload(n: Notification, channel: SlackChannel) -> dict[str, Any]:
    firing, resolved = n.firing, n.resolved
    title = ", ".join(sorted({a.rule for a in n.alerts}))
    head = f"[{n.status.upper()}] {title}"
    if firing and resolved:
        head += f" ({len(firing)} firing, {len(resolved)} resolved)"
    attachments = []
    for a in n.alerts:
        is_firing = a.state == FIRING
        fields = [
            {"title": k, "value": v, "short": True}
            for k, v in sorted(a.labels.items())
            if k not in ("alertname", "severity")
        ]
        attachments.append(
            {
                "color": COLORS.get(a.severity, "#cccccc") if is_firing else RESOLVED_COLOR,
                "title": f"{'FIRING' if is_firing else 'RESOLVED'}: "
                f"{a.annotations.get('summary', a.rule)}",
                "text": a.annotations.get("description", ""),
                "fields": fields,
                "footer": f"severity {a.severity}",
            }
        )
    body: dict[str, Any] = {"text": head, "username": channel.username, "attachments": attachments}
    if channel.channel:
        body["channel"] = channel.channel
    return body


class SlackNotifier:
    def __init__(self, name: str, channel: SlackChannel, client: httpx.Client) -> None:
        self.name, self.channel, self.client = name, channel, client
        url = channel.webhook_url.get_secret_value()
        redact_in_logs([url, str(httpx.URL(url))])

    def send(self, notification: Notification) -> None:
        url = self.channel.webhook_url.get_secret_value()
        try:
            response = self.client.post(
                url, json=slack_payload(notification, self.channel), timeout=self.channel.timeout
            )
        except httpx.HTTPError as exc:
            raise NotifyError(self.name, scrub(f"{type(exc).__name__}: {exc}", [url])) from None
        if response.status_code >= 300:
            detail = scrub(response.text[:200], [url])
            raise NotifyError(self.name, f"Slack answered HTTP {response.status_code}: {detail}")
