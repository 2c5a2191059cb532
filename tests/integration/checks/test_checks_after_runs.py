"""A dataset's checks file runs after each pipeline run that writes the dataset: its
results belong to that run, a failing check never fails the run, and a file can opt out."""

from __future__ import annotations

import textwrap
from pathlib import Path

import sqlalchemy as sa

from monitor.lineage.naming import table_dataset
from monitor.quality.after_runs import ChecksRun, written_dataset
from monitor.service import open_project, run_pipelines

ORDERS_CHECKS = """\
dataset: shop.orders
checks:
  - {type: row_count, name: volume, fail: "< 1"}
  - {type: validity, name: positive_total, column: total, min: 0}
"""


def project(root: Path, orders_checks: str = ORDERS_CHECKS) -> Path:
    config = root / "config"
    (config / "pipelines").mkdir(parents=True)
    (config / "checks").mkdir()
    (root / "data").mkdir()
    (root / "data" / "orders.csv").write_text("order_id,total\n1,10.5\n2,-3.0\n3,7.0\n")
    (config / "riverkeeper.yaml").write_text(
        textwrap.dedent(f"""\
        store: {{url: "sqlite:///{root / "store.db"}"}}
        connections:
          shop: {{type: sql, url: "sqlite:///{root / "shop.db"}"}}
          files: {{type: files, root: {root / "data"}}}
        defaults: {{workspace: {root / "workspace"}}}
        """)
    )
    (config / "pipelines" / "load_orders.yaml").write_text(
        textwrap.dedent("""\
        tasks:
          extract:
            type: extract
            source: {type: csv, connection: files, path: orders.csv, columns: {total: float}}
          load:
            type: load
            input: extract
            target: {type: sql, connection: shop, table: orders, mode: replace}
        """)
    )
    (config / "checks" / "orders.yaml").write_text(orders_checks)
    # a dataset no pipeline writes: its checks run only on `riverkeeper check`
    (config / "checks" / "customers.yaml").write_text(
        "dataset: shop.customers\nchecks:\n  - {type: row_count}\n"
    )
    return config


def stored(root: Path) -> list[tuple[str, str, str, str | None, bool]]:
    engine = sa.create_engine(f"sqlite:///{root / 'store.db'}")
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT dataset, check_name, outcome, pipeline, run_id IS NOT NULL "
            "FROM check_results ORDER BY check_name"
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_checks_run_after_the_run_that_wrote_the_dataset(tmp_path: Path) -> None:
    heard: list[ChecksRun] = []
    proj = open_project(project(tmp_path), env={})
    [result] = run_pipelines(proj, ["load_orders"], on_checks=heard.append)
    assert result.ok  # a failing check after the run does not fail it
    assert [(h.dataset, h.pipeline, h.run_id) for h in heard] == [
        ("shop.orders", "load_orders", result.run_id)
    ]
    assert heard[0].summary() == (
        "checks shop.orders after load_orders: 1 fail (positive_total), 1 pass"
    )
    assert stored(tmp_path) == [
        ("shop.orders", "positive_total", "fail", "load_orders", True),
        ("shop.orders", "volume", "pass", "load_orders", True),
    ]


def test_a_checks_file_can_opt_out(tmp_path: Path) -> None:
    config = project(tmp_path, "after_pipeline_runs: false\n" + ORDERS_CHECKS)
    heard: list[ChecksRun] = []
    [result] = run_pipelines(open_project(config, env={}), ["load_orders"], on_checks=heard.append)
    assert result.ok and heard == [] and stored(tmp_path) == []


def test_checks_that_cannot_run_are_reported_not_raised(tmp_path: Path) -> None:
    config = project(tmp_path, ORDERS_CHECKS.replace("column: total", "column: totl"))
    heard: list[ChecksRun] = []
    [result] = run_pipelines(open_project(config, env={}), ["load_orders"], on_checks=heard.append)
    assert result.ok
    [done] = heard
    outcomes = {r.name: (r.outcome, r.message) for r in done.results}
    assert outcomes["volume"][0] == "pass"
    assert outcomes["positive_total"][0] == "error"
    assert "column 'totl' does not exist in shop.orders" in outcomes["positive_total"][1]


def test_which_checks_file_a_task_output_is() -> None:
    files = ["wh.orders", "wh.analytics.daily", "lake.orders"]
    orders = table_dataset("duckdb:///w.duckdb", "orders", connection="wh")
    daily = table_dataset("postgresql://h/db", "daily", schema="analytics", connection="wh")
    other = table_dataset("duckdb:///w.duckdb", "orders_v2", connection="wh")
    assert written_dataset(orders, files) == "wh.orders"
    assert written_dataset(daily, files) == "wh.analytics.daily"
    assert written_dataset(other, files) is None
