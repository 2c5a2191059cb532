"""Every page of the dashboard on a seeded SQLite store, through streamlit's AppTest.

The seed (dashboard.seed) plays a fixed scenario: daily_sales_summary is stale,
payments_ingest's newest run failed and its missing_count checks fail,
customers_sync is running, the others are healthy; two alerts fire, one is pending.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dashboard.queries import DEAD, RUNS, TASKS
from tests.integration.dashboard.conftest import SeededStore, open_app


def metrics(at) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {m.label: m.value for m in at.metric}


def test_overview_shows_problems_first(
    seeded: SeededStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app(seeded.url, monkeypatch)
    assert at.title[0].value == "Overview"
    assert at.error[0].value == (
        "Overall health: critical (2 alerts firing) — 3 of 5 pipelines need attention"
    )
    assert metrics(at) == {
        "Pipelines": "5",
        "Last run failed": "1",
        "Stale": "1",
        "Failing checks": "2",
        "Firing alerts": "2",
    }
    table = at.dataframe[0].value
    assert list(table["pipeline"][:3]) == [
        "daily_sales_summary",
        "payments_ingest",
        "customers_sync",
    ]
    assert list(table["health"]) == ["critical", "critical", "warning", "ok", "ok"]
    rows = table.set_index("pipeline")
    assert rows.loc["daily_sales_summary", "freshness"] == "stale"
    assert rows.loc["daily_sales_summary", "problems"] == "stale, 1 firing alert"
    assert rows.loc["payments_ingest", "problems"] == (
        "last run failed, 2 failing checks, 1 firing alert"
    )
    assert rows.loc["customers_sync", "last run"] == "running"
    assert rows.loc["inventory_snapshot", "freshness"] == "unscheduled"
    not_passing = at.dataframe[1].value
    assert at.subheader[0].value == f"Checks not passing ({len(not_passing)})"
    assert list(not_passing["outcome"][:2]) == ["fail", "fail"]
    assert set(not_passing["dataset"][:2]) == {"wh.payments", "wh.payments_stg"}
    assert set(not_passing["outcome"]) <= {"fail", "error", "warn"}


def test_pipeline_page_runs_gantt_and_errors(
    seeded: SeededStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app(seeded.url, monkeypatch, "pipeline")
    at.selectbox(key="pipeline").select("payments_ingest").run()
    assert not at.exception
    assert metrics(at)["Last run"] == "failed"
    assert metrics(at)["Runs shown"] == "40"
    assert at.error[0].value.startswith("Run error: ValueError: column 'amount' has")
    errors = next(s for s in at.subheader if s.value.startswith("Errors"))
    with seeded.engine.connect() as conn:
        failed = conn.execute(
            sa.select(sa.func.count())
            .select_from(TASKS.join(RUNS, RUNS.c.id == TASKS.c.run_id))
            .where(TASKS.c.state == "failed", RUNS.c.pipeline == "payments_ingest")
        ).scalar_one()
    assert errors.value == f"Errors ({failed})"
    # a run with a retried task: the timeline counts the extra attempt
    runs = at.selectbox(key="run")
    retried = next(
        o for o in runs.options if any(r[:8] in o for r in seeded.seeded.retried_run_ids)
    )
    runs.select(retried).run()
    caption = next(c.value for c in at.caption if c.value.startswith("Task timeline"))
    assert caption.startswith("Task timeline: 3 tasks, 4 attempts, 1 retries")
    tasks = at.dataframe[0].value
    assert list(tasks["task"]) == ["extract", "parse", "load"]
    assert tasks["attempts"].iloc[0] == 2
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2  # the run history and the gantt
    assert '"x2": {"field": "ended_at"' in charts[1].proto.spec
    at.radio(key="chart").set_value("Durations").run()
    assert '"field": "median"' in at.get("vega_lite_chart")[0].proto.spec


def test_quality_page_trend_samples_and_order(
    seeded: SeededStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app(seeded.url, monkeypatch, "quality")
    datasets = at.selectbox(key="dataset")
    assert datasets.value == "wh.payments"  # failing first
    assert datasets.options[0] == "wh.payments (1 failing)"
    assert metrics(at) == {"Checks": "10", "Passing": "9", "Warnings": "0", "Failing": "1"}
    table = at.dataframe[0].value
    assert table["outcome"][0] == "fail" and table["check"][0] == "missing_count_order_id"
    assert at.selectbox(key="check").value == "missing_count_order_id"
    assert at.subheader[0].value == "missing_count_order_id: fail"
    assert "**Failing rows** (3 sampled)" in [m.value for m in at.markdown]
    samples = at.dataframe[1].value
    assert list(samples.columns) == ["order_id", "amount"] and len(samples) == 3
    at.selectbox(key="check").select("anomaly_row_count").run()
    caption = next(c.value for c in at.caption if "newest results" in c.value)
    assert caption == "40 newest results · warn when — · fail when — · shaded: the expected band"
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert '"y2": {"field": "expected_high"' in spec  # the anomaly band
    assert '"type": "rule"' not in spec  # no thresholds, no lines
    at.selectbox(key="check").select("max_amount").run()
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert spec.count('"type": "rule"') == 2  # the warn and fail lines
    assert '"color": "#f9a825"' in spec and '"color": "#c62828"' in spec


def test_lineage_page_graph_and_moving_to_a_node(
    seeded: SeededStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app(seeded.url, monkeypatch, "lineage")
    chart = at.get("graphviz_chart")[0].proto.spec
    root = at.selectbox(key="lineage_dataset").value
    assert root == "dataset:riverkeeper:wh.orders"  # the busiest node first
    assert '"dataset:riverkeeper:raw.orders" -> "job:riverkeeper:orders_etl.load";' in chart
    assert (
        '"job:riverkeeper:daily_sales_summary.load" -> "dataset:riverkeeper:wh.daily_sales_summary";'
        in chart
    )
    nodes = at.dataframe[0].value
    assert set(nodes["dataset"]) == {"raw.orders", "wh.orders", "wh.daily_sales_summary"}
    at.button(key="down:dataset:riverkeeper:wh.daily_sales_summary").click().run()
    assert at.selectbox(key="lineage_dataset").value == "dataset:riverkeeper:wh.daily_sales_summary"
    chart = at.get("graphviz_chart")[0].proto.spec
    assert (
        '"dataset:riverkeeper:wh.customers" -> "job:riverkeeper:daily_sales_summary.load";' in chart
    )
    at.toggle(key="columns").set_value(True).run()
    assert not at.exception
    edges = at.dataframe[1].value
    into = edges[edges["to"] == "wh.daily_sales_summary.amount"]
    assert set(into["from"]) == {"wh.orders.amount", "wh.customers.amount"}
    assert set(edges["job"]) == {
        "orders_etl.load",
        "customers_sync.load",
        "daily_sales_summary.load",
    }


def test_alerts_page(seeded: SeededStore, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(seeded.url, monkeypatch, "alerts")
    assert metrics(at) == {"Firing": "2", "Pending": "1", "Events (newest 500)": "200"}
    firing = at.dataframe[0].value
    assert list(firing["rule"]) == ["PipelineStale", "CheckFailed"]
    assert "pipeline=daily_sales_summary" in firing["labels"][0]
    at.selectbox(key="alert_rule").select("CheckFailed").run()
    history = at.dataframe[-1].value
    assert len(history) == 50 and set(history["rule"]) == {"CheckFailed"}


def test_dead_letters_filter_by_pipeline_and_reason(
    seeded: SeededStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app(seeded.url, monkeypatch, "dead_letters")
    at.selectbox(key="dlq_pipeline").select("orders_etl").run()
    reason = "missing required field order_id"
    label = next(o for o in at.selectbox(key="dlq_reason").options if o.startswith(reason))
    at.selectbox(key="dlq_reason").select(label).run()
    at.selectbox(key="dlq_status").select("All").run()
    with seeded.engine.connect() as conn:
        expected = conn.execute(
            sa.select(sa.func.count())
            .select_from(DEAD)
            .where(DEAD.c.pipeline == "orders_etl", DEAD.c.reason == reason)
        ).scalar_one()
    rows = at.dataframe[0].value
    assert expected > 0 and len(rows) == expected
    assert set(rows["pipeline"]) == {"orders_etl"} and set(rows["reason"]) == {reason}
    assert at.code[0].value.startswith('{"order_id":')


def test_password_gate(seeded: SeededStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIVERKEEPER_DASHBOARD_PASSWORD", "correct horse")
    at = open_app(seeded.url, monkeypatch)
    assert [t.value for t in at.title] == ["Riverkeeper"] and not at.dataframe
    at.text_input[0].input("wrong")
    at.button[0].click().run()
    assert at.error[0].value == "Wrong password."
    assert not at.dataframe
    at.text_input[0].input("correct horse")
    at.button[0].click().run()
    assert at.title[0].value == "Overview" and at.dataframe


def test_missing_store_url_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.integration.dashboard.conftest import APP

    monkeypatch.delenv("RIVERKEEPER_STORE_URL", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert at.error[0].value.startswith("RIVERKEEPER_STORE_URL is not set")


def test_every_page_explains_an_empty_store(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from monitor.store.db import create_store_engine, migrate

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = create_store_engine(url)
    migrate(engine)
    engine.dispose()
    at = open_app(url, monkeypatch)
    assert at.info[0].value == "No pipelines yet: run one with `riverkeeper run PIPELINE`."
    expected = {
        "pipeline": "No pipelines yet.",
        "quality": "No check results yet: checks run with the pipelines or `riverkeeper check`.",
        "lineage": "No lineage recorded yet: runs emit OpenLineage events as they go.",
    }
    for page, message in expected.items():
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, page
        assert at.info[0].value == message
    at.switch_page("pages/alerts.py").run()
    assert at.success[0].value == "Nothing is firing."
    at.switch_page("pages/dead_letters.py").run()
    assert not at.exception
    assert at.caption[0].value.startswith("0 shown")


def test_pages_follow_links_in_the_url(
    seeded: SeededStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app(seeded.url, monkeypatch, "quality")
    link = at.get("page_link")[0].proto
    assert (link.label, link.page) == ("Lineage of wh.payments", "lineage")
    assert "dataset=wh.payments" in link.query_string
    at.query_params["pipeline"] = "orders_etl"
    at.switch_page("pages/pipeline.py").run()
    assert at.selectbox(key="pipeline").value == "orders_etl"
    at.selectbox(key="pipeline").select("customers_sync").run()  # the user's choice wins
    assert at.selectbox(key="pipeline").value == "customers_sync"
    assert at.query_params["pipeline"] == "customers_sync"
    at.query_params["dataset"] = "wh.payments"  # as the quality page's link sets it
    at.switch_page("pages/lineage.py").run()
    assert at.selectbox(key="lineage_dataset").value == "dataset:riverkeeper:wh.payments"
