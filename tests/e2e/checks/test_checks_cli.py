"""`riverkeeper check DATASET [--json]` end to end, with a SQLite and a PostgreSQL store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.e2e

CHECKS = """\
dataset: shop.orders
key_columns: [order_id]
checks:
  - type: row_count
    name: volume
  - type: missing
    column: customer_id
  - type: duplicates
    column: order_id
  - type: condition
    name: shipped_before_ordered
    fails_when: shipped_date < order_date
    columns: [order_date, shipped_date]
  - type: validity
    column: status
    accepted_values: [new, shipped]
    severity: warn
"""


def make_project(root: Path, checks: str = CHECKS) -> Path:
    config = root / "config"
    (config / "checks").mkdir(parents=True)
    (config / "riverkeeper.yaml").write_text(
        textwrap.dedent("""\
        project: t
        connections:
          shop: {type: sql, url: "sqlite:///shop.db"}
          files: {type: files, root: data}
          api: {type: http, base_url: "http://127.0.0.1:9"}
        """)
    )
    (config / "checks" / "orders.yaml").write_text(checks)
    (config / "pipelines").mkdir()
    (config / "pipelines" / "load_orders.yaml").write_text(
        textwrap.dedent("""\
        tasks:
          extract: {type: extract, source: {type: csv, connection: files, path: orders.csv}}
          load: {type: load, input: extract, target: {type: sql, connection: shop, table: orders}}
        """)
    )
    engine = sa.create_engine(f"sqlite:///{root / 'shop.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE orders (order_id INTEGER, customer_id INTEGER, order_date DATE, "
            "shipped_date DATE, status TEXT)"
        )
        conn.exec_driver_sql(
            "INSERT INTO orders VALUES (1, 10, '2024-01-02', '2024-01-03', 'new'), "
            "(2, NULL, '2024-01-02', '2024-01-01', 'shipped'), "
            "(2, 11, '2024-01-02', NULL, 'LOST'), (3, NULL, '2024-01-05', '2024-01-06', 'new')"
        )
    engine.dispose()
    return config


def cli(root: Path, *args: str, store_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RIVERKEEPER_STORE_URL": store_url, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "monitor", "--config", "config", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_reports_defects_with_counts_and_samples_and_exits_1(
    tmp_path: Path, store_url: str
) -> None:
    make_project(tmp_path)
    done = cli(tmp_path, "check", "shop.orders", store_url=store_url)
    assert done.returncode == 1, done.stderr
    out = done.stdout
    assert "2 of 4 rows (50.00%) with customer_id missing; fail when > 0" in out
    assert "1 of 4 rows (25.00%) duplicating an earlier order_id" in out
    assert "shipped_before_ordered: 1 sample row(s)" in out
    assert "order_id=2, order_date=2024-01-02, shipped_date=2024-01-01" in out
    assert "(severity warn: warns only)" in out
    assert "3 fail, 1 pass, 1 warn" in out

    done = cli(tmp_path, "check", "shop.orders", "--json", store_url=store_url)
    assert done.returncode == 1, done.stderr
    results = {r["check_name"]: r for r in json.loads(done.stdout)}
    assert results["missing(customer_id)"]["value"] == 2
    assert results["missing(customer_id)"]["outcome"] == "fail"
    assert sorted(s["order_id"] for s in results["missing(customer_id)"]["samples"]) == [2, 3]
    assert results["validity(status)"]["outcome"] == "warn"
    assert "LIMIT 10" in results["duplicates(order_id)"]["sql"]

    store = sa.create_engine(store_url)
    with store.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT check_name, outcome, value, pipeline FROM check_results "
            "WHERE check_name = 'volume'"
        ).all()
        events = conn.exec_driver_sql(
            "SELECT job_name, event_type FROM lineage_events ORDER BY id"
        ).all()
    store.dispose()
    # both runs stored, against the pipeline that loads shop.orders (for the dashboard)
    assert [(r[1], r[2], r[3]) for r in rows] == [("pass", 4.0, "load_orders")] * 2
    # each check run is a lineage job of its own, with the checked table as input
    assert [tuple(e) for e in events] == [
        ("checks.shop.orders", "START"),
        ("checks.shop.orders", "COMPLETE"),
    ] * 2


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    make_project(
        tmp_path,
        CHECKS.split("  - type: missing")[0]
        + "  - type: missing\n    column: customer_id\n    severity: warn\n",
    )
    done = cli(tmp_path, "check", "shop.orders", store_url=f"sqlite:///{tmp_path / 's.db'}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 pass, 1 warn" in done.stdout


def test_config_errors_exit_2_with_file_line_and_column(tmp_path: Path) -> None:
    bad = CHECKS.replace("type: duplicates", "type: dupes").replace(
        "accepted_values: [new, shipped]", "regex: '[a-'"
    )
    make_project(tmp_path, bad)
    done = cli(tmp_path, "check", "shop.orders", store_url=f"sqlite:///{tmp_path / 's.db'}")
    assert done.returncode == 2
    err = done.stderr
    assert "config/checks/orders.yaml:8:11: checks.2.type: unknown type 'dupes'" in err, err
    assert "config/checks/orders.yaml:16:12: checks.4.regex: invalid regex '[a-'" in err
    assert "2 config errors" in err
    assert "Traceback" not in err


def test_unknown_dataset_and_wrong_connection(tmp_path: Path) -> None:
    make_project(tmp_path)
    done = cli(tmp_path, "check", "shop.nope", store_url=f"sqlite:///{tmp_path / 's.db'}")
    assert done.returncode == 2
    assert "no checks for dataset 'shop.nope'; datasets with checks: shop.orders" in done.stderr
    make_project(tmp_path / "b", CHECKS.replace("dataset: shop.orders", "dataset: api.orders"))
    done = cli(tmp_path / "b", "check", "api.orders", store_url=f"sqlite:///{tmp_path / 's.db'}")
    assert done.returncode == 2
    assert (
        "config/checks/orders.yaml:1:10: dataset: connection 'api' is a http connection"
        in done.stderr
    )


def test_a_missing_column_is_reported_with_dataset_and_column(tmp_path: Path) -> None:
    make_project(tmp_path, CHECKS.replace("column: customer_id", "column: customer"))
    done = cli(tmp_path, "check", "shop.orders", store_url=f"sqlite:///{tmp_path / 's.db'}")
    assert done.returncode == 1
    assert "column 'customer' does not exist in shop.orders (did you mean 'customer_id'?)" in (
        done.stdout
    )


def test_sql_prints_the_statements_without_running_checks(tmp_path: Path) -> None:
    make_project(tmp_path)
    store = tmp_path / "s.db"
    done = cli(tmp_path, "check", "shop.orders", "--sql", store_url=f"sqlite:///{store}")
    assert done.returncode == 0, done.stderr
    statements = [s for s in done.stdout.split(";\n") if s.strip()]
    assert len(statements) == 1  # SQLite: every metric in one SELECT
    assert statements[0].startswith("SELECT count(*) AS m0, count(*) - count(orders.customer_id)")
    assert "count(DISTINCT orders.order_id)" in statements[0]
    assert "(shipped_date < order_date)" in statements[0]
    assert not store.exists()  # nothing ran, nothing was stored
    make_project(tmp_path / "b", CHECKS.replace("column: customer_id", "column: customer"))
    done = cli(tmp_path / "b", "check", "shop.orders", "--sql", store_url=f"sqlite:///{store}")
    assert done.returncode == 2
    assert "shop.orders: missing(customer): column 'customer' does not exist" in done.stderr


def test_all_runs_every_checks_file_and_no_dataset_is_a_usage_error(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    (config / "checks" / "customers.yaml").write_text(
        "dataset: shop.customers\nchecks:\n  - {type: row_count, name: customers, fail: '< 1'}\n"
    )
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE customers (customer_id INTEGER)")
        conn.exec_driver_sql("INSERT INTO customers VALUES (10), (11)")
    engine.dispose()
    store = f"sqlite:///{tmp_path / 's.db'}"
    done = cli(tmp_path, "check", "--all", "--json", store_url=store)
    assert done.returncode == 1, done.stderr  # shop.orders fails
    results = json.loads(done.stdout)
    assert sorted({r["dataset"] for r in results}) == ["shop.customers", "shop.orders"]
    assert next(r for r in results if r["check_name"] == "customers")["outcome"] == "pass"
    done = cli(tmp_path, "check", "shop.customers", store_url=store)
    assert done.returncode == 0, done.stderr
    done = cli(tmp_path, "check", store_url=store)
    assert done.returncode == 2
    assert "name a dataset, or use --all" in done.stderr
