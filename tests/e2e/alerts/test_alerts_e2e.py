"""End to end, both back ends from one alerts.yaml, on one running `riverkeeper serve`.

Real processes on free 127.0.0.1 ports: `riverkeeper serve` over a SQLite store
(its /metrics endpoint, and its built-in evaluator reading alerts.yaml), Debian's
prometheus with the rendered rules scraping that endpoint, and
prometheus-alertmanager with the rendered config. Each path has its own local
webhook receiver, Slack-webhook receiver and SMTP server (aiosmtpd).

The pipeline's source stops (no new success) for longer than its staleness
window, and a check fails. On both paths each alert reaches the webhook once and
its resolution once, within bounds; the failed check also reaches Slack and email.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from alerts import render_alertmanager, render_rules
from monitor.metrics import read_alerts_config
from monitor.store.tables_alerts import AlertHistory
from tests.e2e.alerts.alerts_e2e_support import process, ready, served_metrics
from tests.integration.alerts.alerts_receivers import (
    HttpReceiver,
    Mailbox,
    http_receiver,
    smtp_server,
)
from tests.integration.alerts.alerts_rows import add_check, add_run, store
from tests.support import free_port, require_binary, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.prometheus, pytest.mark.slow]
STALE_AFTER = 5  # seconds without a successful run
BOUND = 6.0  # condition true -> webhook (measured 1-3 s with 1 s intervals on both paths)

ALERTS_YAML = f"""\
channels:
  hook: {{type: webhook, url: "${{HOOK_URL}}"}}
  slack: {{type: slack, webhook_url: "${{SLACK_URL}}", channel: "#data"}}
  mail:
    type: email
    to: [oncall@example.com]
    from: riverkeeper@example.com
    smtp_host: 127.0.0.1
    smtp_port: ${{SMTP_PORT}}
default_routing: [hook]
evaluation_interval: 1s
grouping:
  group_by: [alertname, pipeline, dataset]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
rules:
  - name: PipelineStale
    type: pipeline_stale
    pipelines: [orders_etl]
    max_age: {STALE_AFTER}s
    severity: critical
  - name: CheckFailed
    type: check_failed
    check_severities: [error]
    severity: critical
    routing: [hook, slack, mail]
"""


@dataclass
class Backend:
    """The receivers of one back end."""

    hook: HttpReceiver
    slack: HttpReceiver
    mail: Mailbox

    def env(self) -> dict[str, str]:
        return {
            "HOOK_URL": self.hook.url + "/alerts",
            "SLACK_URL": self.slack.url + "/services/T/B/x",
            "SMTP_PORT": str(self.mail.port),
        }

    def got(self, alertname: str, status: str) -> list[Any]:
        return [
            r
            for r in self.hook.got
            if r.body["groupLabels"].get("alertname") == alertname and r.body["status"] == status
        ]


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


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def test_both_back_ends_notify_each_alert_and_resolution_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prometheus = require_binary("prometheus")
    alertmanager = require_binary("prometheus-alertmanager")
    store_url = f"sqlite:///{tmp_path / 'riverkeeper.db'}"
    engine = store(store_url)
    prom_port, am_port = free_port(), free_port()
    with ExitStack() as stack:
        paths = {
            name: Backend(
                stack.enter_context(http_receiver()),
                stack.enter_context(http_receiver()),
                stack.enter_context(smtp_server()),
            )
            for name in ("prometheus", "built-in")
        }
        # The rendered files point at the Prometheus path's receivers ...
        (tmp_path / "am-env").mkdir()
        (tmp_path / "am-env" / "alerts.yaml").write_text(ALERTS_YAML)
        am_config = read_alerts_config(tmp_path / "am-env", paths["prometheus"].env())
        (tmp_path / "rules.yml").write_text(render_rules(am_config))
        (tmp_path / "alertmanager.yml").write_text(
            render_alertmanager(am_config, reveal_secrets=True)
        )
        # ... and serve's built-in evaluator at its own.
        for key, value in paths["built-in"].env().items():
            monkeypatch.setenv(key, value)
        log = tmp_path / "serve.log"
        target = stack.enter_context(served_metrics(tmp_path, store_url, log, ALERTS_YAML))
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
        wait_until(lambda: ready(f"http://127.0.0.1:{am_port}/-/ready"), 20, 0.1, "alertmanager")
        wait_until(lambda: warm(prom), 30, 0.1, "a first scrape and rule evaluation")
        wait_until(
            lambda: "alerts: evaluating 2 rules" in log.read_text(), 30, 0.1, "the evaluator"
        )

        def everywhere(alertname: str, status: str) -> bool:
            return all(p.got(alertname, status) for p in paths.values())

        # The pipeline succeeds now; its check fails now.
        t_ok = time.time()
        with Session(engine) as s, s.begin():
            add_run(s, "orders_etl", "success", at(t_ok - 2), 2.0, (100, 100, 0))
            add_check(s, "production.orders", "missing(customer_id)", "fail", 12.0, at(t_ok))
        wait_until(lambda: everywhere("CheckFailed", "firing"), 15, 0.05, "CheckFailed")
        t_fixed = time.time()
        with Session(engine) as s, s.begin():  # the check passes again
            add_check(s, "production.orders", "missing(customer_id)", "pass", 0.0, at(t_fixed))
        wait_until(lambda: everywhere("CheckFailed", "resolved"), 15, 0.05, "its resolution")
        wait_until(
            lambda: all(
                len(p.slack.got) >= 2 and len(p.mail.messages) >= 2 for p in paths.values()
            ),
            15,
            0.05,
            "CheckFailed and its resolution on Slack and by email",
        )
        # No new success: stale STALE_AFTER seconds after the last one ended.
        wait_until(
            lambda: everywhere("PipelineStale", "firing"), STALE_AFTER + 15, 0.05, "PipelineStale"
        )
        t_back = time.time()
        with Session(engine) as s, s.begin():  # the source is back: a run succeeds
            add_run(s, "orders_etl", "success", at(t_back - 1), 1.0, (100, 100, 0))
        wait_until(lambda: everywhere("PipelineStale", "resolved"), 15, 0.05, "its resolution")
        time.sleep(1.5)  # nothing more may arrive

    for name, p in paths.items():
        latencies = {
            "CheckFailed firing": p.got("CheckFailed", "firing")[0].at - t_ok,
            "CheckFailed resolved": p.got("CheckFailed", "resolved")[0].at - t_fixed,
            "PipelineStale firing": p.got("PipelineStale", "firing")[0].at - (t_ok + STALE_AFTER),
            "PipelineStale resolved": p.got("PipelineStale", "resolved")[0].at - t_back,
        }
        print(f"{name}: condition -> webhook s:", {k: round(v, 2) for k, v in latencies.items()})
        for what, seconds in latencies.items():
            assert 0 <= seconds < BOUND, f"{name}, {what}: {seconds:.2f}s"
        statuses = sorted(
            (r.body["groupLabels"]["alertname"], r.body["status"]) for r in p.hook.got
        )
        assert statuses == [
            ("CheckFailed", "firing"),
            ("CheckFailed", "resolved"),
            ("PipelineStale", "firing"),
            ("PipelineStale", "resolved"),
        ], name
        stale = p.got("PipelineStale", "firing")[0].body
        assert stale["version"] == "4"
        labels = stale["alerts"][0]["labels"]
        assert {k: labels[k] for k in ("alertname", "pipeline", "severity")} == {
            "alertname": "PipelineStale",
            "pipeline": "orders_etl",
            "severity": "critical",
        }, name
        assert stale["alerts"][0]["annotations"]["summary"] == (
            f"Pipeline orders_etl has not succeeded for over {STALE_AFTER}s"
        ), name
        failed = p.got("CheckFailed", "firing")[0].body["alerts"][0]
        assert failed["annotations"]["summary"] == (
            "Check missing(customer_id) on production.orders failed"
        ), name
        assert len(p.slack.got) == 2 and len(p.mail.messages) == 2, name
        assert {r.body["channel"] for r in p.slack.got} == {"#data"}, name
        subjects = [m["Subject"] for m in p.mail.messages]
        assert subjects[0].startswith("[FIRING"), (name, subjects)
        assert subjects[1].startswith("[RESOLVED] CheckFailed"), (name, subjects)
    # Prometheus adds the scrape's labels; the built-in evaluator has none to add.
    prom_labels = paths["prometheus"].got("PipelineStale", "firing")[0].body["alerts"][0]["labels"]
    assert (prom_labels["job"], prom_labels["instance"]) == ("riverkeeper", target)
    assert [r.body["attachments"][0]["title"] for r in paths["prometheus"].slack.got] == [
        "[FIRING] CheckFailed",
        "[RESOLVED] CheckFailed",
    ]
    assert [r.body["text"] for r in paths["built-in"].slack.got] == [
        "[FIRING] CheckFailed",
        "[RESOLVED] CheckFailed",
    ]
    with engine.connect() as conn:
        events = conn.execute(
            sa.select(AlertHistory.event)
            .where(AlertHistory.rule == "PipelineStale", AlertHistory.channel.is_(None))
            .order_by(AlertHistory.id)
        ).all()
    assert [e.event for e in events] == ["pending", "firing", "resolved"]
    engine.dispose()
