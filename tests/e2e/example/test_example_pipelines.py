"""The three example pipelines end to end through the CLI: `riverkeeper demo`, then
`riverkeeper run --all` twice; the warehouse holds the expected rows, a rerun of the
same interval adds none, and every extract reconciles rows in = out + rejected + filtered."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from monitor.demo.generate import generate
from tests.e2e.example.example_project import NOW, cli, counts, example, run_all
from tests.support import free_port, fresh_pg_database

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TABLES = [
    "fact_orders", "daily_sales_summary", "hourly_metrics", "raw_orders", "raw_customers",
    "stg_orders", "stg_customers", "fct_orders", "elt_daily_sales_summary",
]  # fmt: skip


def expected() -> dict[str, int]:
    """What the pipelines must load for the day 2024-03-04 and hour 00:00, from the generator."""
    data = generate(datetime.fromisoformat(NOW), seed=42, days=3)
    orders = data.orders
    day = orders[orders["order_date"] == date(2024, 3, 4)]
    clean = day.dropna(subset=["customer_id", "total"]).drop_duplicates("order_id")
    clean = clean[clean["total"] > 0]
    raw = orders[orders["created_at"] < datetime(2024, 3, 5)].drop_duplicates("order_id")
    stg = raw.dropna(subset=["customer_id"])
    stg = stg[stg["total"] > 0]
    customers = pd.DataFrame(data.customers).drop_duplicates("customer_id")
    # daily_sales_summary: the ETL's day by segment (a left join: an unknown customer's
    # segment is a group of its own); elt_daily_sales_summary: the ELT model, every day
    etl_day = clean.merge(customers, on="customer_id", how="left")
    days = stg.merge(customers, on="customer_id")[["order_date", "customer_segment"]]
    return {
        "fact_orders": len(clean),
        "daily_sales_summary": len(etl_day[["order_date", "customer_segment"]].drop_duplicates()),
        "elt_daily_sales_summary": len(days.drop_duplicates()),
        "hourly_metrics": 1,
        "raw_orders": len(raw),
        "raw_customers": len(data.customers),
        "stg_orders": len(stg),
        "stg_customers": customers["customer_id"].nunique(),
        "fct_orders": len(stg),
    }


def check_runs(runs: list[dict[str, Any]]) -> None:
    assert {r["pipeline"]: r["state"] for r in runs} == {
        "daily_sales": "success",
        "daily_sales_elt": "success",
        "ecommerce_analytics": "success",
    }
    for run in runs:
        for task in run["tasks"]:
            if task["kind"] == "extract":
                assert task["rows_in"] == (
                    task["rows_out"] + task["rows_rejected"] + task["rows_filtered"]
                ), (run["pipeline"], task)
    products = next(
        t for r in runs if r["pipeline"] == "daily_sales" for t in r["tasks"]
        if t["task"] == "extract_products"
    )  # fmt: skip
    assert products["rows_rejected"] == 3  # the planted malformed lines


def _scenario(tmp_path: Path, extra_env: dict[str, str], warehouse: str) -> None:
    with example(tmp_path, free_port(), extra_env) as env:
        demo = cli(tmp_path, env, "demo", "--now", NOW)
        assert demo.returncode == 0, demo.stderr
        assert "customers API started" in demo.stdout
        check_runs(run_all(tmp_path, env))
        want = expected()
        assert counts(warehouse, TABLES) == want
        check_runs(run_all(tmp_path, env))  # the same interval again: no duplicates
        assert counts(warehouse, TABLES) == want


def test_example_on_sqlite_source_and_duckdb_warehouse(tmp_path: Path) -> None:
    _scenario(tmp_path, {}, f"duckdb:///{tmp_path / '.riverkeeper' / 'warehouse.duckdb'}")


@pytest.mark.postgres
def test_example_on_postgres_source_and_warehouse(tmp_path: Path, pg_url: str) -> None:
    with fresh_pg_database() as warehouse:
        env = {"RIVERKEEPER_DEMO_SOURCE_URL": pg_url, "RIVERKEEPER_WAREHOUSE_URL": warehouse}
        _scenario(tmp_path, env, warehouse)
