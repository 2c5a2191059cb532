"""The example project, run for real, emits valid lineage for every run and task.

Sources from `riverkeeper demo` (orders DB, products CSV, clickstream Parquet,
customers API on a free port), every pipeline run with the lineage listener
wired as `riverkeeper run` wires it, events delivered through the `file` transport chosen
by OPENLINEAGE__TRANSPORT__* variables. (The session's lineage plugin also
validates every stored event against the official schemas.)
"""

from __future__ import annotations

import json
import os
import shutil
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.lineage.graph import lineage_graph
from monitor.lineage.outbox import backlog, stored_events
from tests.support import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[3]


def test_example_project_emits_lineage_for_every_run_and_task(tmp_path, monkeypatch):
    from monitor.demo import demo_paths, setup_demo, stop_api
    from monitor.service import open_project, open_store, run_pipelines

    shutil.copytree(REPO / "config", tmp_path / "config")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "openlineage.jsonl"
    monkeypatch.setenv("RIVERKEEPER_DEMO_API_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("RIVERKEEPER_STORE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("OPENLINEAGE__TRANSPORT__TYPE", "file")
    monkeypatch.setenv("OPENLINEAGE__TRANSPORT__LOG_FILE_PATH", str(out))
    monkeypatch.setenv("OPENLINEAGE__TRANSPORT__APPEND", "true")
    project = open_project(tmp_path / "config", dict(os.environ))
    setup_demo(project, datetime(2026, 11, 25, 12, tzinfo=UTC), seed=7, days=2, start=True)
    try:  # as `riverkeeper run --all`: outbox listener, sender, bounded drain at the end
        results = run_pipelines(
            project, list(project.pipelines), logical_date=datetime(2026, 11, 24, tzinfo=UTC)
        )
        assert all(r.ok for r in results), results
        store = open_store(project)
        assert backlog(store.engine).pending == 0  # the drain delivered everything
        events = stored_events(store.engine)
        graph = lineage_graph(
            store.engine, "warehouse.elt_daily_sales_summary", direction="upstream"
        )
        column = lineage_graph(
            store.engine,
            "warehouse.elt_daily_sales_summary",
            direction="upstream",
            column="total_revenue",
        )
        downstream = lineage_graph(store.engine, "production.orders", direction="downstream")
        store.close()
    finally:
        stop_api(demo_paths(project))

    # the file transport received exactly the stored events, in order
    assert [json.loads(line) for line in out.read_text().splitlines()] == events
    # every pipeline run and task run: one START first, one terminal event last
    by_run: dict[str, list[str]] = defaultdict(list)
    for e in events:
        by_run[e["run"]["runId"]].append(e["eventType"])
    assert {r.run_id for r in results} <= by_run.keys()
    assert all(t[0] == "START" and t[-1] == "COMPLETE" and len(t) == 2 for t in by_run.values())
    tasks = [e for e in events if "parent" in e["run"].get("facets", {})]
    assert {e["job"]["name"].split(".")[0] for e in tasks} == set(project.pipelines)
    # SQL models carry their SQL and column lineage; outputs their row counts and schema
    sql_done = [e for e in tasks if e["eventType"] == "COMPLETE" and "sql" in e["job"]["facets"]]
    assert {e["job"]["name"] for e in sql_done} >= {
        "daily_sales_elt.stg_orders",
        "daily_sales_elt.fct_orders",
        "daily_sales_elt.daily_sales_summary",
    }
    assert all("columnLineage" in e["outputs"][0]["facets"] for e in sql_done)
    outputs = [o for e in tasks if e["eventType"] == "COMPLETE" for o in e.get("outputs", [])]
    assert outputs and all("outputStatistics" in o.get("outputFacets", {}) for o in outputs)
    assert all("schema" in o.get("facets", {}) for o in outputs)
    # the graph walks back to the sources and forward from orders
    upstream = {d.label for d in graph.upstream()}
    assert {"production.orders", "warehouse.raw_orders", "warehouse.fct_orders"} <= upstream
    assert {e.source_column for e in column.columns if e.target_column == "total_revenue"} == {
        "total"
    }
    assert "warehouse.raw_orders" in {d.label for d in column.upstream()}
    assert "warehouse.elt_daily_sales_summary" in {d.label for d in downstream.downstream()}
