"""The store collector on real SQLite and PostgreSQL stores: values, golden text, restart."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from monitor.metrics import StoreCollector, new_registry, start_metrics_server
from tests.integration.alerts.alerts_rows import T0, add_run, example_store, store

GOLDEN = Path(__file__).parents[2] / "golden" / "alerts" / "metrics.prom"


def exposition(engine: sa.Engine, now=T0) -> str:  # type: ignore[no-untyped-def]
    text = generate_latest(new_registry(engine, lambda: now)).decode()
    # the read time is the one value that changes between scrapes
    return "".join(
        line
        for line in text.splitlines(keepends=True)
        if not line.startswith("riverkeeper_scrape_duration_seconds ")
    )


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for fam in text_string_to_metric_families(text)
        for s in fam.samples
    }


def test_exposition_matches_golden_file(store_url: str) -> None:
    engine = store(store_url)
    example_store(engine)
    text = exposition(engine)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()
    engine.dispose()


def test_values_come_from_the_rows(store_url: str) -> None:
    engine = store(store_url)
    example_store(engine)
    got = samples(exposition(engine))
    rec = "pipeline_records_processed_total"
    assert got[rec, (("pipeline", "orders_etl"), ("status", "success"))] == 990 + 800
    assert got[rec, (("pipeline", "orders_etl"), ("status", "failure"))] == 500 - 20
    assert got[rec, (("pipeline", "orders_etl"), ("status", "rejected"))] == 10 + 20
    # a pipeline that never ran still has zero series, so rate() has a baseline
    assert got[rec, (("pipeline", "never_ran"), ("status", "failure"))] == 0
    assert got["pipeline_runs_total", (("pipeline", "orders_etl"), ("status", "failed"))] == 1
    assert got["pipeline_runs_in_progress", (("pipeline", "orders_etl"),)] == 1
    ok = got["pipeline_last_success_timestamp_seconds", (("pipeline", "orders_etl"),)]
    assert ok == (T0 - timedelta(hours=1) + timedelta(seconds=130)).timestamp()
    assert got["pipeline_records_in_queue", (("pipeline", "orders_etl"),)] == 2
    # freshness: 600 s old when checked an hour ago -> 4200 s now
    key = (("dataset", "warehouse.fact_orders"), ("pipeline", "orders_etl"))
    assert got["pipeline_data_freshness_seconds", key] == 4200
    # the newest result wins (pass), not the older fail
    status = "riverkeeper_check_status"
    assert (
        got[
            status,
            (("check", "row_count"), ("dataset", "warehouse.fact_orders"), ("severity", "error")),
        ]
        == 0
    )
    assert (
        got[
            status,
            (
                ("check", "customer_id_missing"),
                ("dataset", "production.orders"),
                ("severity", "error"),
            ),
        ]
        == 2
    )
    value = (("check", "conversion_rate"), ("dataset", "warehouse.hourly_metrics"))
    assert got["riverkeeper_check_value", value] == 1.5
    assert got["riverkeeper_scheduler_lag_seconds", (("pipeline", "orders_etl"),)] == 2.0
    assert got["riverkeeper_lineage_outbox_pending", ()] == 2
    assert got["riverkeeper_lineage_outbox_oldest_pending_age_seconds", ()] == 600
    durations = "pipeline_processing_duration_seconds"
    assert got[durations + "_count", (("pipeline", "orders_etl"),)] == 3
    assert got[durations + "_sum", (("pipeline", "orders_etl"),)] == pytest.approx(175.5)
    assert got[durations + "_bucket", (("le", "60.0"), ("pipeline", "orders_etl"))] == 2
    # no run ids anywhere in the labels
    assert not any(k == "run_id" for _, labels in got for k, _ in labels)
    engine.dispose()


def test_values_survive_a_restart_and_follow_new_rows(store_url: str) -> None:
    engine = store(store_url)
    example_store(engine)
    before = exposition(engine)
    engine.dispose()
    engine = store(store_url)  # a new process would do the same: new engine, new registry
    assert exposition(engine) == before
    with Session(engine) as s, s.begin():
        add_run(s, "orders_etl", "failed", T0, 1.0, (100, 0, 0))
    got = samples(exposition(engine))
    key = (("pipeline", "orders_etl"), ("status", "failure"))
    assert got["pipeline_records_processed_total", key] == 480 + 100
    engine.dispose()


def test_the_http_endpoint_serves_the_store(tmp_path: Path) -> None:
    engine = store(f"sqlite:///{tmp_path / 'rk.db'}")
    example_store(engine)
    server = start_metrics_server(engine, port=0, clock=lambda: T0)
    try:
        assert server.port != 9108
        response = httpx.get(server.url, timeout=5)
        assert response.status_code == 200
        assert 'pipeline_runs_total{pipeline="orders_etl",status="success"} 2.0' in response.text
        assert "_created" not in response.text
        # the collector is on its own registry, never the global default
        from prometheus_client import REGISTRY

        assert "pipeline_runs_total" not in generate_latest(REGISTRY).decode()
    finally:
        server.close()
    engine.dispose()


def test_an_unreachable_store_reports_store_up_zero(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'missing' / 'rk.db'}")
    with caplog.at_level(logging.WARNING):
        families = StoreCollector(engine).collect_at(T0)
    names = {f.name: f for f in families}
    assert names["riverkeeper_store_up"].samples[0].value == 0
    assert "pipeline_runs" not in names
    assert f"metrics: cannot read the store at sqlite:///{tmp_path / 'missing' / 'rk.db'}" in (
        caplog.text
    )


def test_cached_run_totals_equal_a_fresh_read_as_runs_arrive(store_url: str) -> None:
    """One collector across scrapes (folding old runs) says what a new one reads at once."""
    engine = store(store_url)
    example_store(engine)
    collector = StoreCollector(engine)
    minute = timedelta(minutes=1)
    for step in range(1, 13):
        now = T0 + step * 5 * minute
        with Session(engine) as s, s.begin():
            state = "failed" if step % 4 == 0 else "success"
            add_run(s, "orders_etl", state, now - 2 * minute, 30.0 + step, (100, 90, 5), now)
            if step % 6 == 0:  # committed late: it ended 8 minutes before this scrape
                add_run(s, "clickstream_hourly", "success", now - 9 * minute, 60.0, (7, 7, 0))
        cached = generate_latest_at(collector, now)
        fresh = generate_latest_at(StoreCollector(engine), now)
        assert cached == fresh, f"step {step}"
    assert collector.runs.watermark == now - timedelta(minutes=10)
    got = samples(cached)
    key = (("pipeline", "orders_etl"), ("status", "success"))
    assert got["pipeline_runs_total", key] == 2 + 9
    engine.dispose()


def generate_latest_at(collector: StoreCollector, now) -> str:  # type: ignore[no-untyped-def]
    from prometheus_client.exposition import generate_latest as gen

    class At:
        def collect(self):  # type: ignore[no-untyped-def]
            return [
                f
                for f in collector.collect_at(now)
                if f.name != "riverkeeper_scrape_duration_seconds"
            ]

    return gen(At()).decode()  # type: ignore[arg-type]


def test_python_m_monitor_metrics_serves_the_store(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'rk.db'}"
    engine = store(url)
    example_store(engine)
    engine.dispose()
    args = [sys.executable, "-m", "monitor.metrics", "--store-url", url, "--port", "0"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("serving http://127.0.0.1:") and line.endswith("/metrics")
        text = httpx.get(line.removeprefix("serving "), timeout=5).text
        assert 'pipeline_records_in_queue{pipeline="orders_etl"} 2.0' in text
    finally:
        proc.terminate()
        assert proc.wait(10) == 0
