"""The example project's lineage, emitted through the real listener and SQL lineage.

production.orders (sqlite) --load_raw--> warehouse.raw_orders --stg_orders--> warehouse.stg_orders
customers_api /customers --load_customers--> warehouse.raw_customers
stg_orders + raw_customers --fct_orders--> warehouse.fct_orders --summary--> warehouse.daily_sales_summary
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from monitor.lineage.naming import http_dataset, table_dataset
from monitor.lineage.outbox import OutboxListener
from monitor.lineage.sql import sql_lineage
from monitor.pipeline.events import (
    CheckOutcome,
    Column,
    ColumnOrigin,
    DatasetRef,
    RunState,
    TaskReport,
    TaskState,
)
from tests.unit.lineage.lineage_samples import T0, run_info, task_info

COLUMNS = {
    "orders": ["order_id", "customer_id", "order_date", "total", "status"],
    "raw_orders": ["order_id", "customer_id", "order_date", "total", "status"],
    "raw_customers": ["customer_id", "first_name", "last_name", "customer_segment"],
    "stg_orders": ["order_id", "customer_id", "order_date", "total"],
    "fct_orders": ["order_id", "customer_name", "customer_segment", "order_date", "total"],
    "daily_sales_summary": ["order_date", "customer_segment", "order_count", "total_revenue"],
}
MODELS = {
    "stg_orders": "SELECT order_id, customer_id, order_date, CAST(total AS DOUBLE) AS total "
    "FROM raw_orders WHERE status <> 'cancelled'",
    "fct_orders": "SELECT o.order_id, c.first_name || ' ' || c.last_name AS customer_name, "
    "c.customer_segment, o.order_date, o.total FROM stg_orders o "
    "LEFT JOIN raw_customers c ON o.customer_id = c.customer_id",
    "daily_sales_summary": "SELECT order_date, customer_segment, count(*) AS order_count, "
    "sum(total) AS total_revenue FROM fct_orders GROUP BY 1, 2",
}


class Project:
    def __init__(self, root: Path) -> None:
        self.production = f"sqlite:///{root / 'production.db'}"
        self.warehouse = f"duckdb:///{root / 'warehouse.duckdb'}"

    def table(self, name: str) -> DatasetRef:
        url, connection = (
            (self.production, "production") if name == "orders" else (self.warehouse, "warehouse")
        )
        columns = [Column(c, "VARCHAR") for c in COLUMNS[name]]
        return table_dataset(url, name, connection=connection, columns=columns)

    def customers_api(self) -> DatasetRef:
        return http_dataset("http://127.0.0.1:8765/api", "customers", connection="customers_api")

    def resolve(self, name: str) -> DatasetRef | None:
        table = name.split(".")[-1]
        return self.table(table) if table in COLUMNS and table != "orders" else None


def _copy(source: DatasetRef, target: DatasetRef, rows: int, checks=()) -> TaskReport:  # type: ignore[no-untyped-def]
    lineage = {c.name: (ColumnOrigin(source, c.name),) for c in target.columns}
    return TaskReport(
        state=TaskState.SUCCESS,
        started_at=T0,
        ended_at=T0 + timedelta(seconds=1),
        inputs=(source,),
        outputs=(target,),
        rows_in=rows,
        rows_out=rows,
        column_lineage={target.key: lineage} if source.columns else {},
        checks=tuple(checks),
    )


def emit_project_run(
    listener: OutboxListener, project: Project, n: int = 0, *, fail_summary: bool = False
) -> str:
    """One run of the `elt` pipeline; returns its run id."""
    run = run_info(str(uuid.UUID(int=(0x019ABC01_0000_7000_8000 << 48) + n)), pipeline="elt")
    listener.run_started(run, T0)
    orders, raw_orders = project.table("orders"), project.table("raw_orders")
    steps: list[tuple[str, str, TaskReport]] = [
        ("load_raw", "load", _copy(orders, raw_orders, 120)),
        (
            "load_customers",
            "extract",
            _copy(project.customers_api(), project.table("raw_customers"), 40),
        ),
    ]
    for model, sql in MODELS.items():
        target = project.table(model)
        found = sql_lineage(sql, "duckdb", project.resolve, target=target)
        failed = fail_summary and model == "daily_sales_summary"
        checks = ()
        if model == "daily_sales_summary":
            checks = (
                CheckOutcome(
                    target,
                    "revenue_not_negative",
                    "min",
                    "total_revenue",
                    "fail",
                    "error",
                    -12.5,
                    ">= 0",
                ),
                CheckOutcome(target, "summary_rows", "row_count", None, "pass", "error", 7.0),
            )
        report = TaskReport(
            state=TaskState.FAILED if failed else TaskState.SUCCESS,
            started_at=T0,
            ended_at=T0 + timedelta(seconds=2),
            inputs=found.inputs,
            outputs=found.outputs,
            rows_out=None if failed else 7,
            column_lineage=found.columns,
            sql=sql,
            checks=checks if not failed else (),
            error="Binder Error: column total not found" if failed else None,
            extra={"dialect": "duckdb"},
        )
        steps.append((model, "sql", report))
    for name, kind, report in steps:
        task = task_info(name, kind=kind, run=run)
        listener.task_started(task, report.started_at)
        listener.task_finished(task, report)
    state = RunState.FAILED if fail_summary else RunState.SUCCESS
    listener.run_finished(run, state, T0 + timedelta(seconds=9), None)
    return run.run_id
