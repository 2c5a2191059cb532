"""End to end: store → /metrics → Prometheus (rendered rules) → Alertmanager → webhook.

Real processes on free 127.0.0.1 ports: `riverkeeper serve` (its /metrics
endpoint, on an empty project over the test's store), Debian's prometheus and
prometheus-alertmanager with the config rendered from one alerts definition,
a local webhook receiver, a local Slack-webhook receiver and an SMTP server
(aiosmtpd). A pipeline goes stale and a check fails; each alert must reach the
webhook once, and its resolution too, within bounds; the failed check also
reaches Slack and email through Alertmanager's own integrations.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from alerts import AlertsConfig, render_alertmanager, render_rules
from tests.e2e.alerts.alerts_e2e_support import process, ready, served_metrics
from tests.integration.alerts.alerts_receivers import HttpReceiver, http_receiver, smtp_server
from tests.integration.alerts.alerts_rows import add_check, add_run, store
from tests.support import free_port, require_binary, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.prometheus, pytest.mark.slow]
ROOT = Path(__file__).parents[3]
STALE_AFTER = 5  # seconds without a successful run
BOUND = 6.0  # condition true -> webhook received (measured about 2 s with 1 s intervals)


def warm(prom: str) -> bool:
    """Prometheus scraped the target, evaluated the rules and found Alertmanager."""
    try:
        targets = httpx.get(f"{prom}/api/v1/targets", timeout=1).json()["data"]
        rules = httpx.get(f"{prom}/api/v1/rules", timeout=1).json()["data"]
        ams = httpx.get(f"{prom}/api/v1/alertmanagers", timeout=1).json()["data"]
    except (httpx.HTTPError, KeyError, ValueError):
        return False
    up = [t["health"] == "up" for t in targets["activeTargets"]]
    evaluated = [
        not r["lastEvaluation"].startswith("0001") for g in rules["groups"] for r in g["rules"]
    ]
    return bool(up and all(up) and evaluated and all(evaluated) and ams["activeAlertmanagers"])


def alerts_config(webhook: str, slack: str, smtp_port: int) -> AlertsConfig:
    return AlertsConfig.model_validate(
        {
            "channels": {
                "hook": {"type": "webhook", "url": webhook},
                "slack": {"type": "slack", "webhook_url": slack, "channel": "#data"},
                "mail": {
                    "type": "email",
                    "to": ["oncall@example.com"],
                    "from": "riverkeeper@example.com",
                    "smtp_host": "127.0.0.1",
                    "smtp_port": smtp_port,
                },
            },
            "default_routing": ["hook"],
            "evaluation_interval": "1s",
            "grouping": {
                "group_by": ["alertname", "pipeline", "dataset"],
                "group_wait": "1s",
                "group_interval": "1s",
                "repeat_interval": "1h",
            },
            "rules": [
                {
                    "name": "PipelineStale",
                    "type": "pipeline_stale",
                    "pipelines": ["orders_etl"],
                    "max_age": f"{STALE_AFTER}s",
                    "severity": "critical",
                },
                {
                    "name": "CheckFailed",
                    "type": "check_failed",
                    "check_severities": ["error"],
                    "severity": "critical",
                    "routing": ["hook", "slack", "mail"],
                },
            ],
        }
    )


def received(rx: HttpReceiver, alertname: str, status: str) -> list[Any]:
    return [
        r
        for r in rx.got
        if r.body["groupLabels"].get("alertname") == alertname and r.body["status"] == status
    ]


def test_stale_pipeline_and_failed_check_reach_the_webhook_and_resolve(tmp_path: Path) -> None:
    prometheus = require_binary("prometheus")
    alertmanager = require_binary("prometheus-alertmanager")
    store_url = f"sqlite:///{tmp_path / 'riverkeeper.db'}"
    engine = store(store_url)
    prom_port, am_port = free_port(), free_port()
    with ExitStack() as stack:
        rx = stack.enter_context(http_receiver())
        slack_rx = stack.enter_context(http_receiver())
        mailbox = stack.enter_context(smtp_server())
        config = alerts_config(rx.url + "/alerts", slack_rx.url + "/services/T/B/x", mailbox.port)
        target = stack.enter_context(served_metrics(tmp_path, store_url, tmp_path / "serve.log"))
        (tmp_path / "rules.yml").write_text(render_rules(config))
        (tmp_path / "alertmanager.yml").write_text(render_alertmanager(config, reveal_secrets=True))
        (tmp_path / "prometheus.yml").write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            "rule_files: [rules.yml]\n"
            "alerting:\n  alertmanagers:\n"
            f"    - static_configs: [{{targets: ['127.0.0.1:{am_port}']}}]\n"
            "scrape_configs:\n  - job_name: riverkeeper\n"
            f"    static_configs: [{{targets: ['{target}']}}]\n"
        )
        stack.enter_context(
            process(
                [
                    alertmanager,
                    f"--config.file={tmp_path / 'alertmanager.yml'}",
                    f"--storage.path={tmp_path / 'am-data'}",
                    f"--web.listen-address=127.0.0.1:{am_port}",
                    f"--web.external-url=http://127.0.0.1:{am_port}/",
                    "--cluster.listen-address=",
                ],
                tmp_path / "alertmanager.log",
            )
        )
        stack.enter_context(
            process(
                [
                    prometheus,
                    f"--config.file={tmp_path / 'prometheus.yml'}",
                    f"--storage.tsdb.path={tmp_path / 'prom-data'}",
                    f"--web.listen-address=127.0.0.1:{prom_port}",
                    f"--web.external-url=http://127.0.0.1:{prom_port}/",
                ],
                tmp_path / "prometheus.log",
            )
        )
        prom = f"http://127.0.0.1:{prom_port}"
        wait_until(lambda: ready(f"{prom}/-/ready"), 20, 0.1, "prometheus to be ready")
        wait_until(
            lambda: ready(f"http://127.0.0.1:{am_port}/-/ready"),
            20,
            0.1,
            "alertmanager to be ready",
        )
        wait_until(lambda: warm(prom), 20, 0.1, "a first scrape and rule evaluation")

        # The pipeline succeeds now; its check fails now.
        t_ok = time.time()
        with Session(engine) as s, s.begin():
            add_run(
                s,
                "orders_etl",
                "success",
                datetime.fromtimestamp(t_ok - 5, UTC),
                5.0,
                (100, 100, 0),
            )
            add_check(
                s,
                "production.orders",
                "missing(customer_id)",
                "fail",
                12.0,
                datetime.fromtimestamp(t_ok, UTC),
            )
        t_check_failed = t_ok

        wait_until(
            lambda: received(rx, "CheckFailed", "firing"),
            15,
            0.05,
            "the CheckFailed alert at the webhook",
        )
        t_check_fixed = time.time()
        with Session(engine) as s, s.begin():  # the check passes again
            add_check(
                s,
                "production.orders",
                "missing(customer_id)",
                "pass",
                0.0,
                datetime.fromtimestamp(t_check_fixed, UTC),
            )
        wait_until(
            lambda: received(rx, "CheckFailed", "resolved"),
            15,
            0.05,
            "the CheckFailed resolution at the webhook",
        )
        wait_until(
            lambda: len(slack_rx.got) >= 2 and len(mailbox.messages) >= 2,
            15,
            0.05,
            "the CheckFailed alert and resolution on Slack and by email",
        )

        # No new success: stale STALE_AFTER seconds after the last one ended.
        t_stale = t_ok + STALE_AFTER
        wait_until(
            lambda: received(rx, "PipelineStale", "firing"),
            STALE_AFTER + 15,
            0.05,
            "the PipelineStale alert at the webhook",
        )
        t_recovered = time.time()
        with Session(engine) as s, s.begin():  # the source is back: a run succeeds
            add_run(
                s,
                "orders_etl",
                "success",
                datetime.fromtimestamp(t_recovered - 1, UTC),
                1.0,
                (100, 100, 0),
            )
        wait_until(
            lambda: received(rx, "PipelineStale", "resolved"),
            15,
            0.05,
            "the PipelineStale resolution at the webhook",
        )
        alerts_api = httpx.get(f"{prom}/api/v1/alerts", timeout=5).json()

    latencies = {
        "CheckFailed firing": received(rx, "CheckFailed", "firing")[0].at - t_check_failed,
        "CheckFailed resolved": received(rx, "CheckFailed", "resolved")[0].at - t_check_fixed,
        "PipelineStale firing": received(rx, "PipelineStale", "firing")[0].at - t_stale,
        "PipelineStale resolved": received(rx, "PipelineStale", "resolved")[0].at - t_recovered,
    }
    print("condition -> webhook seconds:", {k: round(v, 2) for k, v in latencies.items()})
    for name, seconds in latencies.items():
        assert 0 <= seconds < BOUND, f"{name}: {seconds:.2f}s"
    for name in ("CheckFailed", "PipelineStale"):
        assert len(received(rx, name, "firing")) == 1, name
        assert len(received(rx, name, "resolved")) == 1, name
    stale = received(rx, "PipelineStale", "firing")[0].body["alerts"][0]
    assert stale["labels"] == {
        "alertname": "PipelineStale",
        "pipeline": "orders_etl",
        "severity": "critical",
        "instance": target,
        "job": "riverkeeper",
    }
    assert stale["annotations"]["summary"] == (
        f"Pipeline orders_etl has not succeeded for over {STALE_AFTER}s"
    )
    failed = received(rx, "CheckFailed", "firing")[0].body["alerts"][0]
    assert failed["labels"]["check"] == "missing(customer_id)"
    assert failed["annotations"]["summary"] == (
        "Check missing(customer_id) on production.orders failed"
    )
    assert alerts_api["status"] == "success"
    # Alertmanager's own Slack and email integrations, from the rendered config
    slack_texts = [r.body["attachments"][0]["title"] for r in slack_rx.got]
    assert slack_texts == ["[FIRING] CheckFailed", "[RESOLVED] CheckFailed"]
    assert {r.body["channel"] for r in slack_rx.got} == {"#data"}
    subjects = [m["Subject"] for m in mailbox.messages]
    assert len(subjects) == 2
    assert subjects[0].startswith("[FIRING:1] CheckFailed")
    assert subjects[1].startswith("[RESOLVED] CheckFailed")
    assert {m["To"] for m in mailbox.messages} == {"oncall@example.com"}
    engine.dispose()
