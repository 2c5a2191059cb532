"""Notifiers: webhook (Alertmanager JSON), Slack, email (SMTP) and log."""

from __future__ import annotations

import logging

import httpx

from alerts.config import AlertsConfig, EmailChannel, LogChannel, SlackChannel, WebhookChannel
from alerts.notify.base import Notification, Notifier, NotifyError, webhook_payload
from alerts.notify.email import EmailNotifier
from alerts.notify.log import LogNotifier
from alerts.notify.slack import SlackNotifier
from alerts.notify.webhook import WebhookNotifier

__all__ = [
    "EmailNotifier",
    "LogNotifier",
    "Notification",
    "Notifier",
    "NotifyError",
    "SlackNotifier",
    "WebhookNotifier",
    "build_notifiers",
    "webhook_payload",
]


def build_notifiers(
    config: AlertsConfig, client: httpx.Client, logger: logging.Logger | None = None
) -> dict[str, Notifier]:
    """One notifier per configured channel; HTTP channels share `client`."""
    logger = logger or logging.getLogger("riverkeeper.alerts")
    out: dict[str, Notifier] = {}
    for name, channel in config.channels.items():
        if isinstance(channel, WebhookChannel):
            out[name] = WebhookNotifier(name, channel, client)
        elif isinstance(channel, SlackChannel):
            out[name] = SlackNotifier(name, channel, client)
        elif isinstance(channel, EmailChannel):
            out[name] = EmailNotifier(name, channel)
        else:
            assert isinstance(channel, LogChannel)
            out[name] = LogNotifier(name, channel, logger)
    return out
