"""A standalone check run (`riverkeeper check`) as lineage: its own job, DQ facets on the input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.lineage.checkrun import check_job_name, record_check_run
from monitor.lineage.events import LineageSettings
from monitor.lineage.graph import lineage_graph
from monitor.lineage.outbox import lineage_listener, stored_events
from monitor.pipeline.events import CheckOutcome
from monitor.store.db import create_store_engine, migrate
from tests.integration.lineage.lineage_project import Project, emit_project_run
from tests.unit.lineage.lineage_samples import T0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def test_check_run_is_a_job_with_quality_facets_on_the_checked_table(store, tmp_path):
    project = Project(tmp_path)
    emit_project_run(lineage_listener(store), project)
    orders = project.table("orders")
    outcomes = [
        CheckOutcome(
            orders,
            "orders_customer_present",
            "missing",
            "customer_id",
            "warn",
            "warning",
            4.0,
            "fail when > 5%",
        ),
        CheckOutcome(orders, "orders_unique", "duplicates", "order_id", "fail", "error", 3.0),
    ]
    later = T0 + timedelta(hours=2)
    run_id = record_check_run(
        store, LineageSettings(), orders, outcomes, later, later + timedelta(seconds=1)
    )
    start, end = stored_events(store, run_id)
    assert check_job_name(orders) == "checks.production.orders" == end["job"]["name"]
    assert (start["eventType"], end["eventType"]) == ("START", "COMPLETE")
    assert end["job"]["facets"]["jobType"]["jobType"] == "CHECK"
    [checked] = end["inputs"]
    assert checked["name"] == orders.name
    metrics = checked["inputFacets"]["dataQualityMetrics"]
    assert metrics["columnMetrics"] == {"customer_id": {"nullCount": 4}}
    assertions = checked["inputFacets"]["dataQualityAssertions"]["assertions"]
    assert [(a["name"], a["success"]) for a in assertions] == [
        ("orders_customer_present", True),
        ("orders_unique", False),
    ]
    # the graph shows the latest quality of the table, without a check-job edge into it
    graph = lineage_graph(store, "production.orders", direction="downstream", depth=1)
    root = graph.datasets[graph.root]
    assert root.quality == "fail"
    assert "job:riverkeeper:checks.production.orders" in graph.jobs


def test_check_run_that_could_not_run_fails_with_the_reason(store, tmp_path):
    orders = Project(tmp_path).table("orders")
    run_id = record_check_run(
        store, LineageSettings(), orders, [], T0, T0, error="connection 'production' failed"
    )
    assert [e["eventType"] for e in stored_events(store, run_id)] == ["START", "FAIL"]
    end = stored_events(store, run_id)[1]
    assert end["run"]["facets"]["errorMessage"]["message"] == "connection 'production' failed"
