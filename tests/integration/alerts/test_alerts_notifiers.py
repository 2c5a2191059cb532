"""Notifiers against local receivers: webhook (Alertmanager JSON v4), Slack, SMTP, log."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import httpx
import pytest

from alerts import AlertsConfig, build_notifiers
from alerts.notify import Notification, NotifyError
from alerts.state import FIRING, RESOLVED, AlertInstance
from tests.integration.alerts.alerts_receivers import http_receiver, smtp_server
from tests.support import free_port

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 25, 12, 5, 30, 250000, tzinfo=UTC)


def alert(state: str, pipeline: str = "orders_etl") -> AlertInstance:
    labels = {"alertname": "PipelineStale", "pipeline": pipeline, "severity": "critical"}
    return AlertInstance(
        "PipelineStale",
        f"fp-{pipeline}",
        labels,
        {
            "summary": f"Pipeline {pipeline} has not succeeded for over 1h",
            "description": "Last success 1h 1m 0s ago.",
        },
        "critical",
        state,
        3660.0,
        T0,
        T1,
        fired_at=T0,
        resolved_at=T1 if state == RESOLVED else None,
    )


def notification(*alerts: AlertInstance, receiver: str = "ch") -> Notification:
    return Notification(
        receiver,
        '{}:{alertname="PipelineStale"}',
        {"alertname": "PipelineStale"},
        alerts,
        "http://127.0.0.1:9108",
    )


def notifiers(channels: dict[str, object]) -> dict[str, object]:
    return build_notifiers(AlertsConfig.model_validate({"channels": channels}), httpx.Client())  # type: ignore[return-value]


def test_webhook_posts_alertmanager_json() -> None:
    with http_receiver() as rx:
        hook = notifiers(
            {
                "ch": {
                    "type": "webhook",
                    "url": rx.url + "/alerts",
                    "headers": {"Authorization": "Bearer s3cr3t"},
                }
            }
        )["ch"]
        hook.send(notification(alert(FIRING), alert(RESOLVED, "billing")))  # type: ignore[attr-defined]
    (got,) = rx.got
    assert got.path == "/alerts"
    assert got.headers["Authorization"] == "Bearer s3cr3t"
    assert got.body == {
        "receiver": "ch",
        "status": "firing",
        "alerts": [
            {
                "status": "firing",
                "labels": {
                    "alertname": "PipelineStale",
                    "pipeline": "orders_etl",
                    "severity": "critical",
                },
                "annotations": {
                    "summary": "Pipeline orders_etl has not succeeded for over 1h",
                    "description": "Last success 1h 1m 0s ago.",
                },
                "startsAt": "2026-11-25T12:00:00.000Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://127.0.0.1:9108/alerts?rule=PipelineStale",
                "fingerprint": "fp-orders_etl",
            },
            {
                "status": "resolved",
                "labels": {
                    "alertname": "PipelineStale",
                    "pipeline": "billing",
                    "severity": "critical",
                },
                "annotations": {
                    "summary": "Pipeline billing has not succeeded for over 1h",
                    "description": "Last success 1h 1m 0s ago.",
                },
                "startsAt": "2026-11-25T12:00:00.000Z",
                "endsAt": "2026-11-25T12:05:30.250Z",
                "generatorURL": "http://127.0.0.1:9108/alerts?rule=PipelineStale",
                "fingerprint": "fp-billing",
            },
        ],
        "groupLabels": {"alertname": "PipelineStale"},
        "commonLabels": {"alertname": "PipelineStale", "severity": "critical"},
        "commonAnnotations": {"description": "Last success 1h 1m 0s ago."},
        "externalURL": "http://127.0.0.1:9108",
        "version": "4",
        "groupKey": '{}:{alertname="PipelineStale"}',
        "truncatedAlerts": 0,
    }


def test_webhook_errors_name_the_channel_and_hide_the_url() -> None:
    with http_receiver() as rx:
        rx.status = 503
        secret_url = rx.url + "/hook/token-abc123"
        hook = notifiers({"ops": {"type": "webhook", "url": secret_url}})["ops"]
        with pytest.raises(NotifyError) as err:
            hook.send(notification(alert(FIRING)))  # type: ignore[attr-defined]
    assert str(err.value) == "channel 'ops': the webhook answered HTTP 503"
    dead = f"http://127.0.0.1:{free_port()}/token-abc123"
    hook = notifiers({"ops": {"type": "webhook", "url": dead}})["ops"]
    with pytest.raises(NotifyError) as err:
        hook.send(notification(alert(FIRING)))  # type: ignore[attr-defined]
    assert str(err.value).startswith("channel 'ops': ConnectError: ")
    assert "token-abc123" not in str(err.value)


def test_slack_incoming_webhook() -> None:
    with http_receiver() as rx:
        slack = notifiers(
            {
                "s": {
                    "type": "slack",
                    "webhook_url": rx.url + "/services/T/B/x",
                    "channel": "#data-alerts",
                }
            }
        )["s"]
        slack.send(notification(alert(FIRING), alert(RESOLVED, "billing")))  # type: ignore[attr-defined]
        rx.status = 404
        with pytest.raises(NotifyError) as err:
            slack.send(notification(alert(FIRING)))  # type: ignore[attr-defined]
    body = rx.got[0].body
    assert rx.got[0].path == "/services/T/B/x"
    assert body["text"] == "[FIRING] PipelineStale (1 firing, 1 resolved)"
    assert body["channel"] == "#data-alerts"
    first, second = body["attachments"]
    assert first["title"] == "FIRING: Pipeline orders_etl has not succeeded for over 1h"
    assert first["color"] == "#d93f0b"
    assert {"title": "pipeline", "value": "orders_etl", "short": True} in first["fields"]
    assert second["title"].startswith("RESOLVED: Pipeline billing")
    assert str(err.value) == "channel 's': Slack answered HTTP 404: ok"


def test_email_over_smtp_with_login() -> None:
    with smtp_server(auth=("rk", "p4ss-w0rd")) as box:
        mail = notifiers(
            {
                "m": {
                    "type": "email",
                    "to": ["oncall@example.com", "b@example.com"],
                    "from": "riverkeeper@example.com",
                    "smtp_host": "127.0.0.1",
                    "smtp_port": box.port,
                    "username": "rk",
                    "password": "p4ss-w0rd",
                }
            }
        )["m"]
        mail.send(notification(alert(FIRING), alert(RESOLVED, "billing")))  # type: ignore[attr-defined]
    (msg,) = box.messages
    assert box.logins == [("rk", "p4ss-w0rd")]
    assert msg["Subject"] == "[FIRING] PipelineStale"
    assert msg["To"] == "oncall@example.com, b@example.com"
    body = msg.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "[FIRING] PipelineStale (critical): Pipeline orders_etl has not succeeded" in body
    assert "[RESOLVED] PipelineStale (critical): Pipeline billing" in body
    assert "resolved at 2026-11-25T12:05:30.250000+00:00" in body


def test_email_errors_hide_the_password() -> None:
    with smtp_server(auth=("rk", "right")) as box:
        mail = notifiers(
            {
                "m": {
                    "type": "email",
                    "to": ["a@example.com"],
                    "from": "r@example.com",
                    "smtp_host": "127.0.0.1",
                    "smtp_port": box.port,
                    "username": "rk",
                    "password": "wrong-pw",
                }
            }
        )["m"]
        with pytest.raises(NotifyError) as err:
            mail.send(notification(alert(FIRING)))  # type: ignore[attr-defined]
    assert str(err.value).startswith(
        f"channel 'm': SMTP 127.0.0.1:{box.port}: SMTPAuthenticationError"
    )
    assert "wrong-pw" not in str(err.value)
    port = free_port()
    mail = notifiers(
        {
            "m": {
                "type": "email",
                "to": ["a@example.com"],
                "from": "r@example.com",
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
            }
        }
    )["m"]
    with pytest.raises(NotifyError) as err:
        mail.send(notification(alert(FIRING)))  # type: ignore[attr-defined]
    assert str(err.value).startswith(f"channel 'm': SMTP 127.0.0.1:{port}: ConnectionRefusedError")


def test_log_notifier(caplog: pytest.LogCaptureFixture) -> None:
    log = notifiers({"log": {"type": "log", "level": "error"}})["log"]
    with caplog.at_level(logging.INFO, logger="riverkeeper.alerts"):
        log.send(notification(alert(FIRING), alert(RESOLVED, "billing")))  # type: ignore[attr-defined]
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "ERROR",
            (
                "alert log: [FIRING] PipelineStale (critical): Pipeline orders_etl has not "
                "succeeded for over 1h"
            ),
        ),
        (
            "ERROR",
            (
                "alert log: [RESOLVED] PipelineStale (critical): Pipeline billing has not "
                "succeeded for over 1h"
            ),
        ),
    ]


def test_http_logging_never_shows_a_channel_secret(caplog: pytest.LogCaptureFixture) -> None:
    with http_receiver() as rx, caplog.at_level(logging.DEBUG):
        secret = "/services/T0001/B0001/hunter2-token"
        slack = notifiers({"s": {"type": "slack", "webhook_url": rx.url + secret}})["s"]
        slack.send(notification(alert(FIRING)))  # type: ignore[attr-defined]
    assert len(rx.got) == 1
    assert "HTTP Request: POST ***" in caplog.text  # httpx logs each request's URL
    assert "hunter2" not in caplog.text
