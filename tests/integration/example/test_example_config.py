"""The example project loads, its DAGs are the seed's, and its customers API (the demo's
own server, on 127.0.0.1) is read by the REST source with the bearer token from config."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from monitor.config.project import HttpConnection
from monitor.connectors.rest import HttpSource
from monitor.demo import generate, write_files
from monitor.demo.api import start_api
from monitor.errors import DataError
from monitor.service import open_project
from tests.integration.connectors.connectors_ctx import make_ctx

REPO = Path(__file__).resolve().parents[3]


def test_example_project_loads_with_the_seeds_pipelines() -> None:
    project = open_project(REPO / "config", env={})
    assert sorted(project.pipelines) == ["daily_sales", "daily_sales_elt", "ecommerce_analytics"]
    elt = project.pipelines["daily_sales_elt"]
    order = elt.order
    assert order.index("load_raw_orders") < order.index("stg_orders") < order.index("fct_orders")
    assert order.index("fct_orders") < order.index("daily_sales_summary")
    etl = project.pipelines["daily_sales"]
    assert set(etl.upstream["enrich_orders"]) == {
        "clean_orders",
        "clean_customers",
        "extract_products",
    }
    assert project.connections["warehouse"].url.get_secret_value().startswith("duckdb:///")


def test_environment_points_the_project_at_postgresql() -> None:
    env = {"RIVERKEEPER_WAREHOUSE_URL": "postgresql+psycopg://u:pw@db:5432/analytics"}
    project = open_project(REPO / "config", env=env)
    assert (
        project.connections["warehouse"].safe_url == "postgresql+psycopg://u:***@db:5432/analytics"
    )


def test_demo_api_pages_and_token(tmp_path: Path) -> None:
    data = generate(datetime(2024, 3, 5, 13, tzinfo=UTC), days=1)
    write_files(data, tmp_path)
    server = start_api(tmp_path / "customers.json", token="demo-token")
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        source = HttpSource(
            connection="api",
            path="/customers",
            records="data",
            pagination={"type": "page", "size": 50},
            columns={"customer_id": "int", "created_at": "timestamp"},
        )
        good = HttpConnection(
            base_url=url, headers={"Authorization": SecretStr("Bearer demo-token")}
        )
        result = source.read(make_ctx(tmp_path, http={"api": good}))
        assert len(result.frame) == len(data.customers) == result.rows_in
        bad = HttpConnection(base_url=url, headers={"Authorization": SecretStr("Bearer nope")})
        with pytest.raises(DataError, match="HTTP 401 Unauthorized"):
            source.read(make_ctx(tmp_path, http={"api": bad}))
    finally:
        server.shutdown()
        server.server_close()


def test_demo_with_an_unreachable_source_database_says_which(tmp_path: Path) -> None:
    from monitor.demo import setup_demo
    from monitor.errors import ConnectionFailedError

    env = {
        "RIVERKEEPER_DEMO_SOURCE_URL": "postgresql+psycopg://shop:secretpw@127.0.0.1:1/shop",
        "RIVERKEEPER_DEMO_FILES": str(tmp_path / "files"),
    }
    project = open_project(REPO / "config", env=env)
    with pytest.raises(ConnectionFailedError) as caught:
        setup_demo(project, datetime(2024, 3, 5, 13, tzinfo=UTC), days=1, start=False)
    message = str(caught.value)
    assert message.startswith(
        "connection 'production' (postgresql+psycopg://shop:***@127.0.0.1:1/shop) failed: "
    )
    assert "secretpw" not in message


def test_background_api_starts_once_and_stops(tmp_path: Path) -> None:
    from monitor.demo import demo_paths, ensure_api, stop_api
    from monitor.demo.setup import api_alive
    from tests.support import free_port, wait_until

    port = free_port()
    env = {
        "RIVERKEEPER_DEMO_API_URL": f"http://127.0.0.1:{port}",
        "RIVERKEEPER_DEMO_FILES": str(tmp_path / "files"),
    }
    paths = demo_paths(open_project(REPO / "config", env=env))
    write_files(generate(datetime(2024, 3, 5, 13, tzinfo=UTC), days=1), paths.files)
    try:
        assert ensure_api(paths) is True
        assert ensure_api(paths) is False  # already answering: not started twice
        assert paths.pidfile.is_file()
    finally:
        assert stop_api(paths) is True
    wait_until(lambda: not api_alive(f"http://127.0.0.1:{port}"), what="the API to stop")
    assert stop_api(paths) is False


def test_a_standalone_check_counts_against_the_one_pipeline_writing_its_dataset() -> None:
    from monitor.quality.service import owning_pipeline

    project = open_project(REPO / "config", env={})
    owners = {
        dataset: owning_pipeline(project, dataset)
        for dataset in (
            "warehouse.fact_orders",  # daily_sales' load target
            "warehouse.raw_customers",  # daily_sales_elt's load target
            "warehouse.fct_orders",  # daily_sales_elt's SQL model
            "warehouse.hourly_metrics",  # ecommerce_analytics' load target
            "warehouse.daily_sales_summary",  # daily_sales' load (the ELT writes its own table)
            "warehouse.orders_everywhere",  # no pipeline writes it
            "production.orders",  # a source: no pipeline writes it
        )
    }
    assert owners == {
        "warehouse.fact_orders": "daily_sales",
        "warehouse.raw_customers": "daily_sales_elt",
        "warehouse.fct_orders": "daily_sales_elt",
        "warehouse.hourly_metrics": "ecommerce_analytics",
        "warehouse.daily_sales_summary": "daily_sales",
        "warehouse.orders_everywhere": None,
        "production.orders": None,
    }
