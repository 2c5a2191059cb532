"""Webhook notifier: POSTs Alertmanager's JSON (version 4), so AM receivers work as is."""

from __future__ import annotations

import httpx

from alerts.config import WebhookChannel
from alerts.notify.base import Notification, NotifyError, redact_in_logs, scrub, webhook_payload


class WebhookNotifier:
    def __init__(self, name: str, channel: WebhookChannel, client: httpx.Client) -> None:
        self.name, self.channel, self.client = name, channel, client
        url = channel.url.get_secret_value()
        redact_in_logs([url, str(httpx.URL(url))])

    def send(self, notification: Notification) -> None:
        url = self.channel.url.get_secret_value()
        headers = {k: v.get_secret_value() for k, v in self.channel.headers.items()}
        secrets = [url, *headers.values()]
        try:
            response = self.client.post(
                url,
                json=webhook_payload(notification),
                headers=headers,
                timeout=self.channel.timeout,
            )
        except httpx.HTTPError as exc:
            reason = scrub(f"{type(exc).__name__}: {exc}", secrets)
            raise NotifyError(self.name, reason) from None
        if response.status_code >= 300:
            raise NotifyError(self.name, f"the webhook answered HTTP {response.status_code}")
