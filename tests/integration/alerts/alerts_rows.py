"""Rows the alert and metrics tests put into a real store through the ORM."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.store.db import create_store_engine, migrate
from monitor.store.tables import CheckResult, DeadLetter, LineageEvent, Pipeline, PipelineRun

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def store(url: str) -> sa.Engine:
    engine = create_store_engine(url)
    migrate(engine)
    return engine


def add_run(
    session: Session,
    pipeline: str,
    state: str,
    started: datetime,
    seconds: float | None,
    rows: tuple[int, int, int] = (0, 0, 0),
    scheduled_for: datetime | None = None,
) -> str:
    run_id = str(uuid.uuid4())
    rows_in, rows_out, rows_rejected = rows
    session.add(
        PipelineRun(
            id=run_id,
            pipeline=pipeline,
            logical_date=started,
            interval_start=started - timedelta(days=1),
            interval_end=started,
            state=state,
            trigger="schedule" if scheduled_for else "manual",
            scheduled_for=scheduled_for,
            created_at=started,
            started_at=started,
            ended_at=None if seconds is None else started + timedelta(seconds=seconds),
            rows_in=rows_in,
            rows_out=rows_out,
            rows_rejected=rows_rejected,
        )
    )
    return run_id


def add_check(
    session: Session,
    dataset: str,
    name: str,
    outcome: str,
    value: float | None,
    at: datetime,
    check_type: str = "custom",
    severity: str = "error",
    pipeline: str | None = "orders_etl",
) -> None:
    session.add(
        CheckResult(
            pipeline=pipeline,
            dataset=dataset,
            check_name=name,
            check_type=check_type,
            severity=severity,
            outcome=outcome,
            value=value,
            message="",
            executed_at=at,
        )
    )


def add_dead_letter(session: Session, pipeline: str, status: str = "waiting") -> None:
    session.add(
        DeadLetter(
            pipeline=pipeline,
            run_id="r",
            task="extract_products",
            dataset="files.products",
            reason="bad line",
            raw="1,2,,",
            status=status,
            created_at=T0,
        )
    )


def add_outbox(session: Session, created: datetime, delivered: datetime | None) -> None:
    session.add(
        LineageEvent(
            run_id="r",
            event_type="COMPLETE",
            event_time=created,
            job_namespace="riverkeeper",
            job_name="orders_etl",
            payload="{}",
            created_at=created,
            delivered_at=delivered,
        )
    )


def example_store(engine: sa.Engine) -> None:
    """A small history of the example project: two pipelines, checks, dead letters, outbox."""
    h = timedelta(hours=1)
    with Session(engine) as s, s.begin():
        s.add(Pipeline(name="orders_etl", updated_at=T0))
        s.add(Pipeline(name="clickstream_hourly", updated_at=T0))
        s.add(Pipeline(name="never_ran", updated_at=T0))
        add_run(s, "orders_etl", "success", T0 - 3 * h, 42.0, (1000, 990, 10), T0 - 3 * h)
        add_run(s, "orders_etl", "failed", T0 - 2 * h, 3.5, (500, 0, 20))
        add_run(
            s, "orders_etl", "success", T0 - h, 130.0, (800, 800, 0), T0 - h - timedelta(seconds=2)
        )
        add_run(s, "orders_etl", "running", T0 - timedelta(minutes=1), None)
        add_run(s, "clickstream_hourly", "aborted", T0 - h, 10.0, (50, 0, 0))
        add_run(
            s, "clickstream_hourly", "success", T0 - 30 * timedelta(minutes=1), 0.5, (70, 70, 0)
        )
        add_check(s, "warehouse.fact_orders", "row_count", "pass", 1790.0, T0 - h)
        add_check(s, "warehouse.fact_orders", "row_count", "fail", 0.0, T0 - 2 * h)  # older
        add_check(s, "warehouse.fact_orders", "freshness", "pass", 600.0, T0 - h, "freshness")
        add_check(
            s,
            "warehouse.hourly_metrics",
            "conversion_rate",
            "warn",
            1.5,
            T0 - h,
            "aggregate",
            "warn",
            "clickstream_hourly",
        )
        add_check(s, "production.orders", "customer_id_missing", "fail", 12.0, T0 - h, "missing")
        add_check(s, "production.orders", "anomaly_rows", "learning", None, T0 - h, "anomaly")
        add_dead_letter(s, "orders_etl")
        add_dead_letter(s, "orders_etl")
        add_dead_letter(s, "orders_etl", "replayed")
        add_outbox(s, T0 - 10 * timedelta(minutes=1), None)
        add_outbox(s, T0 - 5 * timedelta(minutes=1), None)
        add_outbox(s, T0 - h, T0 - h)
