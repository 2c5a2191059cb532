"""Hand-built run values for lineage tests (the runner's values, frozen)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from monitor.lineage.naming import file_dataset, table_dataset
from monitor.pipeline.events import (
    CheckOutcome,
    Column,
    ColumnOrigin,
    DatasetRef,
    RunInfo,
    TaskInfo,
    TaskReport,
    TaskState,
)

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
RUN_ID = "019abc00-0000-7000-8000-000000000001"
PROD_URL = "sqlite:////data/production.db"
WH_URL = "duckdb:////data/warehouse.duckdb"

ORDERS = table_dataset(
    PROD_URL,
    "orders",
    connection="production",
    columns=[
        Column("order_id", "BIGINT"),
        Column("customer_id", "BIGINT"),
        Column("total", "DOUBLE"),
    ],
)
PRODUCTS = file_dataset("/data/files/products.csv", connection="files")
RAW_ORDERS = table_dataset(
    WH_URL,
    "raw_orders",
    connection="warehouse",
    columns=[
        Column("order_id", "BIGINT"),
        Column("customer_id", "BIGINT"),
        Column("total", "DOUBLE"),
    ],
)
SUMMARY = table_dataset(
    WH_URL,
    "daily_sales_summary",
    connection="warehouse",
    columns=[Column("order_date", "DATE"), Column("total_revenue", "DOUBLE")],
)


def run_info(run_id: str = RUN_ID, pipeline: str = "orders_daily") -> RunInfo:
    return RunInfo(
        run_id=run_id,
        pipeline=pipeline,
        logical_date=T0,
        interval_start=T0 - timedelta(days=1),
        interval_end=T0,
        trigger="manual",
    )


def task_info(
    task: str, kind: str = "extract", run: RunInfo | None = None, attempt: int = 1
) -> TaskInfo:
    run = run or run_info()
    return TaskInfo(
        run=run,
        task=task,
        kind=kind,
        task_run_id=str(uuid.uuid5(uuid.UUID(run.run_id), task)),
        attempt=attempt,
    )


def extract_report(state: TaskState = TaskState.SUCCESS, error: str | None = None) -> TaskReport:
    identity = {c.name: (ColumnOrigin(ORDERS, c.name),) for c in RAW_ORDERS.columns}
    return TaskReport(
        state=state,
        started_at=T0 + timedelta(seconds=1),
        ended_at=T0 + timedelta(seconds=3),
        inputs=(ORDERS,),
        outputs=(RAW_ORDERS,),
        rows_in=120,
        rows_out=118 if state == TaskState.SUCCESS else None,
        column_lineage={RAW_ORDERS.key: identity} if state == TaskState.SUCCESS else {},
        checks=(
            CheckOutcome(
                ORDERS,
                "orders_not_null_customer",
                "not_null",
                "customer_id",
                "warn",
                "warning",
                3.0,
                "0",
            ),
            CheckOutcome(
                ORDERS, "orders_row_count", "row_count", None, "pass", "error", 120.0, ">= 1"
            ),
            CheckOutcome(
                RAW_ORDERS, "raw_unique_id", "unique", "order_id", "fail", "error", 2.0, "0"
            ),
        ),
        error=error,
        error_type="ConnectionFailedError" if error else None,
        stack_trace="Traceback (most recent call last):\n  ..." if error else None,
    )


SUMMARY_SQL = (
    "CREATE TABLE daily_sales_summary AS SELECT order_date, SUM(total) AS total_revenue "
    "FROM raw_orders GROUP BY order_date"
)


def sql_report() -> TaskReport:
    return TaskReport(
        state=TaskState.SUCCESS,
        started_at=T0 + timedelta(seconds=4),
        ended_at=T0 + timedelta(seconds=5),
        inputs=(RAW_ORDERS,),
        outputs=(SUMMARY,),
        rows_out=7,
        column_lineage={
            SUMMARY.key: {
                "total_revenue": (ColumnOrigin(RAW_ORDERS, "total", "AGGREGATION"),),
                "order_date": (
                    ColumnOrigin(RAW_ORDERS, "order_date"),
                    ColumnOrigin(RAW_ORDERS, "order_date", "GROUP_BY"),
                ),
            }
        },
        sql=SUMMARY_SQL,
        extra={"dialect": "duckdb"},
    )


def dataset(ref: DatasetRef) -> tuple[str, str]:
    return ref.namespace, ref.name
