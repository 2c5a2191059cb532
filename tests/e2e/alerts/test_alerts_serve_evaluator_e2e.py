"""End to end without Prometheus: `riverkeeper serve` hosts the built-in evaluator.

A real `serve` process over a SQLite store, with an alerts.yaml whose channel is
a local webhook receiver. The pipeline's source stops (no new success) for
longer than its staleness window and a check fails; each alert reaches the
webhook once, then its resolution once, within bounds. The alert history is in
the store afterwards.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.store.tables_alerts import AlertHistory
from tests.e2e.alerts.alerts_e2e_support import served_metrics
from tests.integration.alerts.alerts_receivers import HttpReceiver, http_receiver
from tests.integration.alerts.alerts_rows import add_check, add_run, store
from tests.support import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
STALE_AFTER = 4
BOUND = 5.0  # scheduler pass 1 s + evaluation 1 s + group_wait 1 s, plus slack

ALERTS = """\
channels:
  hook: {{type: webhook, url: "${{HOOK_URL}}"}}
default_routing: [hook]
evaluation_interval: 1s
grouping: {{group_by: [alertname, pipeline, dataset], group_wait: 1s, group_interval: 1s,
           repeat_interval: 1h}}
rules:
  - {{name: PipelineStale, type: pipeline_stale, pipelines: [orders_etl],
      max_age: {stale}s, severity: critical}}
  - {{name: CheckFailed, type: check_failed, check_severities: [error], severity: critical}}
"""


def got(rx: HttpReceiver, alertname: str, status: str) -> list[float]:
    return [
        r.at
        for r in rx.got
        if r.body["groupLabels"].get("alertname") == alertname and r.body["status"] == status
    ]


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def test_serve_notifies_each_alert_and_its_resolution_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'riverkeeper.db'}"
    engine = store(url)
    with http_receiver() as rx:
        monkeypatch.setenv("HOOK_URL", rx.url + "/alerts")
        alerts = ALERTS.format(stale=STALE_AFTER)
        with served_metrics(tmp_path, url, tmp_path / "serve.log", alerts_yaml=alerts):
            wait_until(
                lambda: "alerts: evaluating 2 rules" in (tmp_path / "serve.log").read_text(),
                30,
                0.1,
                "serve to host the evaluator",
            )
            t_ok = time.time()
            with Session(engine) as s, s.begin():
                add_run(s, "orders_etl", "success", at(t_ok - 2), 2.0, (10, 10, 0))
                add_check(s, "production.orders", "missing(customer_id)", "fail", 4.0, at(t_ok))
            wait_until(lambda: got(rx, "CheckFailed", "firing"), 15, 0.05, "CheckFailed")
            t_fixed = time.time()
            with Session(engine) as s, s.begin():
                add_check(s, "production.orders", "missing(customer_id)", "pass", 0.0, at(t_fixed))
            wait_until(lambda: got(rx, "CheckFailed", "resolved"), 15, 0.05, "its resolution")
            wait_until(
                lambda: got(rx, "PipelineStale", "firing"), STALE_AFTER + 15, 0.05, "PipelineStale"
            )
            t_back = time.time()
            with Session(engine) as s, s.begin():  # the source is back
                add_run(s, "orders_etl", "success", at(t_back - 1), 1.0, (10, 10, 0))
            wait_until(lambda: got(rx, "PipelineStale", "resolved"), 15, 0.05, "its resolution")
            time.sleep(1.5)  # nothing more may arrive
    latencies = {
        "CheckFailed firing": got(rx, "CheckFailed", "firing")[0] - t_ok,
        "CheckFailed resolved": got(rx, "CheckFailed", "resolved")[0] - t_fixed,
        "PipelineStale firing": got(rx, "PipelineStale", "firing")[0] - (t_ok + STALE_AFTER),
        "PipelineStale resolved": got(rx, "PipelineStale", "resolved")[0] - t_back,
    }
    print("built-in: condition -> webhook seconds:", {k: round(v, 2) for k, v in latencies.items()})
    for name, seconds in latencies.items():
        assert 0 <= seconds < BOUND, f"{name}: {seconds:.2f}s"
    statuses = [(r.body["groupLabels"]["alertname"], r.body["status"]) for r in rx.got]
    assert sorted(statuses) == [
        ("CheckFailed", "firing"),
        ("CheckFailed", "resolved"),
        ("PipelineStale", "firing"),
        ("PipelineStale", "resolved"),
    ]
    stale = next(r.body for r in rx.got if r.body["groupLabels"]["alertname"] == "PipelineStale")
    assert stale["version"] == "4"
    assert stale["alerts"][0]["labels"] == {
        "alertname": "PipelineStale",
        "pipeline": "orders_etl",
        "severity": "critical",
    }
    with engine.connect() as conn:
        events = conn.execute(
            sa.select(AlertHistory.rule, AlertHistory.event)
            .where(AlertHistory.rule == "PipelineStale")
            .order_by(AlertHistory.id)
        ).all()
    assert [e.event for e in events] == ["pending", "firing", "notified", "resolved", "notified"]
    engine.dispose()
