"""The lineage graph from stored events: tables, columns, depth, run and quality status."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.errors import UsageError
from monitor.lineage.graph import lineage_graph
from monitor.lineage.naming import table_dataset
from monitor.lineage.outbox import lineage_listener
from monitor.pipeline.events import TaskReport, TaskState
from monitor.store.db import create_store_engine, migrate
from tests.integration.lineage.lineage_project import Project, emit_project_run
from tests.unit.lineage.lineage_samples import T0, run_info, task_info


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


@pytest.fixture
def store(store_url: str, project: Project) -> Iterator[sa.Engine]:
    engine = create_store_engine(store_url)
    migrate(engine)
    emit_project_run(lineage_listener(engine), project)
    yield engine
    engine.dispose()


def labels(nodes) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return [(n.label, n.distance) for n in nodes]


def test_upstream_walks_back_to_the_sources(store: sa.Engine):
    graph = lineage_graph(store, "warehouse.daily_sales_summary", direction="upstream")
    assert labels(graph.upstream()) == [
        ("production.orders", -4),
        ("customers_api.customers", -3),
        ("warehouse.raw_orders", -3),
        ("warehouse.raw_customers", -2),
        ("warehouse.stg_orders", -2),
        ("warehouse.fct_orders", -1),
    ]
    assert graph.downstream() == []
    assert sorted(j.name for j in graph.jobs.values()) == [
        "elt.daily_sales_summary",
        "elt.fct_orders",
        "elt.load_customers",
        "elt.load_raw",
        "elt.stg_orders",
    ]


def test_depth_limits_the_hops(store: sa.Engine):
    graph = lineage_graph(store, "daily_sales_summary", direction="upstream", depth=1)
    assert labels(graph.upstream()) == [("warehouse.fct_orders", -1)]
    assert [j.name for j in graph.jobs.values()] == ["elt.daily_sales_summary"]
    assert lineage_graph(store, "daily_sales_summary", depth=0).datasets.keys() == {graph.root}


def test_downstream_from_orders_reaches_everything_built_on_it(store: sa.Engine):
    graph = lineage_graph(store, "production.orders", direction="downstream")
    assert labels(graph.downstream()) == [
        ("warehouse.raw_orders", 1),
        ("warehouse.stg_orders", 2),
        ("warehouse.fct_orders", 3),
        ("warehouse.daily_sales_summary", 4),
    ]


def test_column_lineage_walks_through_the_sql_models(store: sa.Engine):
    graph = lineage_graph(
        store, "warehouse.daily_sales_summary", direction="upstream", column="total_revenue"
    )
    hops = sorted(
        (
            e.source.rsplit(":", 1)[-1].rsplit("/", 1)[-1],
            e.source_column,
            e.target_column,
            e.subtype,
        )
        for e in graph.columns
    )
    assert [h[:3] for h in hops] == [
        ("fct_orders", "total", "total_revenue"),
        ("orders", "total", "total"),
        ("raw_orders", "total", "total"),
        ("stg_orders", "total", "total"),
    ]
    subtypes = {h[0]: h[3] for h in hops}
    assert subtypes["fct_orders"] == "AGGREGATION"
    assert subtypes["raw_orders"] == "TRANSFORMATION"  # CAST(total AS DOUBLE)
    assert subtypes["orders"] == "IDENTITY"
    assert labels(graph.upstream())[0] == ("production.orders", -4)
    # customers are not upstream of total_revenue
    assert "warehouse.raw_customers" not in [d.label for d in graph.datasets.values()]


def test_downstream_column_lineage(store: sa.Engine):
    graph = lineage_graph(
        store, "warehouse.raw_customers", direction="downstream", column="last_name"
    )
    assert {(e.target_column, e.subtype) for e in graph.columns} == {
        ("customer_name", "TRANSFORMATION")
    }


def test_nodes_carry_latest_run_and_quality(store: sa.Engine, project: Project):
    graph = lineage_graph(store, "warehouse.daily_sales_summary", depth=1)
    root = graph.datasets[graph.root]
    assert root.quality == "fail"
    assert root.row_count == 7
    assert root.latest_run is not None and root.latest_run.state == "COMPLETE"
    assert root.latest_run.job == "job:riverkeeper:elt.daily_sales_summary"
    checks = {c["check"]: c for c in root.to_dict()["checks"]}
    assert checks["revenue_not_negative"]["actual"] == "-12.5"
    assert checks["summary_rows"]["outcome"] == "pass"
    assert [f["name"] for f in root.to_dict()["fields"]][:2] == ["order_date", "customer_segment"]
    # a later failed run: the job and the dataset show it, the old checks stay the latest known
    emit_project_run(lineage_listener(store), project, 1, fail_summary=True)
    graph = lineage_graph(store, "warehouse.daily_sales_summary", depth=1)
    job = graph.jobs["job:riverkeeper:elt.daily_sales_summary"]
    assert job.latest_run is not None and job.latest_run.state == "FAIL"
    assert job.latest_run.error == "Binder Error: column total not found"
    root = graph.datasets[graph.root]
    assert root.latest_run is not None and root.latest_run.state == "FAIL"
    assert root.row_count == 7  # from the last run that completed
    assert job.parent == "elt"


def test_graph_as_json_is_stable(store: sa.Engine):
    data = lineage_graph(store, "warehouse.fct_orders", depth=1).to_dict()
    assert data["root"].endswith(":fct_orders")
    assert [d["distance"] for d in data["datasets"]] == sorted(
        d["distance"] for d in data["datasets"]
    )
    assert {"source", "target"} == set(data["edges"][0])
    assert data["column_edges"] and {"type", "subtype", "job"} <= set(data["column_edges"][0])


def test_errors_name_what_was_asked(store: sa.Engine, project: Project):
    with pytest.raises(UsageError, match=r"no dataset 'nope' in the lineage store; known: "):
        lineage_graph(store, "nope")
    assert lineage_graph(store, "orders").datasets[lineage_graph(store, "orders").root].label == (
        "production.orders"
    )
    listener = lineage_listener(store)  # a second `orders` table, in the warehouse
    task = task_info("copy", run=run_info(pipeline="copy"))
    copy = table_dataset(project.warehouse, "orders", connection="warehouse")
    listener.task_finished(
        task, TaskReport(TaskState.SUCCESS, T0, T0, (project.table("orders"),), (copy,))
    )
    with pytest.raises(
        UsageError,
        match=r"dataset 'orders' is ambiguous; it matches: production.orders, warehouse.orders",
    ):
        lineage_graph(store, "orders")
    assert lineage_graph(store, "warehouse.orders").datasets
    with pytest.raises(UsageError, match=r"has no column 'revenue'; known: .*total_revenue"):
        lineage_graph(store, "daily_sales_summary", column="revenue")
    with pytest.raises(UsageError, match=r"direction 'sideways' is not one of both, upstream"):
        lineage_graph(store, "daily_sales_summary", direction="sideways")
    with pytest.raises(UsageError, match=r"depth must be 0 or more, not -1"):
        lineage_graph(store, "daily_sales_summary", depth=-1)


def test_cached_graph_sees_late_committed_ids_and_a_replaced_store(store: sa.Engine, project):
    from monitor.lineage.graph import cached_store, load_store
    from monitor.lineage.tables import outbox

    with store.begin() as conn:  # an event whose id was handed out but not yet committed
        late = conn.execute(sa.select(outbox).where(outbox.c.id == 5)).mappings().one()
        conn.execute(sa.delete(outbox).where(outbox.c.id == 5))
    assert (late["event_type"], late["job_name"]) == ("COMPLETE", "elt.load_customers")
    writes = {
        e for e in cached_store(store).edges if e.source == "job:riverkeeper:elt.load_customers"
    }
    assert writes == set()
    emit_project_run(lineage_listener(store), project, 2)
    with store.begin() as conn:
        conn.execute(sa.insert(outbox).values(dict(late)))
    fresh = load_store(store)
    cached = cached_store(store)
    assert any(e.source == "job:riverkeeper:elt.load_customers" for e in cached.edges)
    assert cached.edges == fresh.edges and cached.columns == fresh.columns
    assert {k: v.latest_run for k, v in cached.jobs.items()} == {
        k: v.latest_run for k, v in fresh.jobs.items()
    }
    with store.begin() as conn:  # the store is emptied: the cache starts over
        conn.execute(sa.delete(outbox))
    assert cached_store(store).edges == set()


def test_a_snapshot_does_not_change_when_new_events_arrive(store: sa.Engine, project):
    from monitor.lineage.graph import load_store, store_snapshot

    before = store_snapshot(store)
    edges, runs = set(before.edges), {k: v.latest_run for k, v in before.jobs.items()}
    checks = {k: dict(v.checks) for k, v in before.datasets.items()}
    emit_project_run(lineage_listener(store), project, 2)
    after = store_snapshot(store)
    assert after.jobs and {k: v.latest_run for k, v in after.jobs.items()} != runs
    assert (before.edges, {k: v.latest_run for k, v in before.jobs.items()}) == (edges, runs)
    assert {k: dict(v.checks) for k, v in before.datasets.items()} == checks
    fresh = load_store(store)
    assert after.edges == fresh.edges and after.datasets.keys() == fresh.datasets.keys()


def test_an_older_event_arriving_late_does_not_replace_the_latest_run(store: sa.Engine, project):
    from dataclasses import replace as copy

    from monitor.lineage.graph import load_store

    listener = lineage_listener(store)
    newer = task_info("copy", run=run_info(pipeline="copy"))
    older = task_info("copy", run=run_info("019abc00-0000-7000-8000-0000000000aa", "copy"))
    out = table_dataset(project.warehouse, "copy_target", connection="warehouse")
    report = TaskReport(TaskState.SUCCESS, T0, T0, (project.table("orders"),), (out,), rows_out=5)
    listener.task_finished(newer, copy(report, ended_at=T0 + timedelta(hours=1)))
    listener.task_finished(older, copy(report, state=TaskState.FAILED, rows_out=None))
    loaded = load_store(store)
    job = loaded.jobs["job:riverkeeper:copy.copy"]
    assert job.latest_run is not None and job.latest_run.run_id == newer.task_run_id
    [target] = [d for d in loaded.datasets.values() if d.name == "copy_target"]
    assert target.latest_run is not None and target.latest_run.state == "COMPLETE"
