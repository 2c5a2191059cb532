"""The store: migrations create exactly the ORM's schema, and upgrades keep data."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from monitor.store.db import (
    alembic_config,
    create_store_engine,
    current_heads,
    latest_heads,
    migrate,
)
from monitor.store.models import metadata
from monitor.store.runs import Store
from monitor.store.tables import PipelineRun


def test_migrated_schema_matches_the_models(store_url: str) -> None:
    engine = create_store_engine(store_url)
    try:
        migrate(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
        assert current_heads(engine) == latest_heads()
    finally:
        engine.dispose()


def test_upgrade_keeps_existing_runs(store_url: str) -> None:
    engine = create_store_engine(store_url)
    try:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001_foundation")
        at = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as conn:
            conn.execute(
                sa.insert(PipelineRun.__table__),
                {
                    "id": "r1",
                    "pipeline": "p",
                    "logical_date": at,
                    "interval_start": at,
                    "interval_end": at,
                    "state": "success",
                    "trigger": "manual",
                    "created_at": at,
                    "rows_in": 5,
                    "rows_out": 5,
                    "rows_rejected": 0,
                },
            )
        migrate(engine)  # to every branch head
        view = Store(engine).get_run("r1")
        assert view is not None and view.run.rows_in == 5 and view.run.logical_date == at
    finally:
        engine.dispose()


def test_times_come_back_aware_utc(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        store.set_watermark(
            "p", "orders.updated_at", datetime(2026, 3, 4, 5, 6, tzinfo=UTC), "r", datetime.now(UTC)
        )
        assert store.get_watermark("p", "orders.updated_at") == datetime(
            2026, 3, 4, 5, 6, tzinfo=UTC
        )
        store.set_watermark("p", "n", 42, "r", datetime.now(UTC))
        assert store.get_watermark("p", "n") == 42
        assert store.get_watermark("p", "absent") is None
    finally:
        store.close()


def test_sync_pipeline_inserts_then_updates(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        at = datetime(2026, 1, 1, tzinfo=UTC)
        store.sync_pipeline("p", "first", {"cron": "0 * * * *"}, "h1", at)
        store.sync_pipeline("p", "second", None, "h2", at)  # a second process starting: no conflict
        with store.engine.connect() as conn:
            rows = conn.execute(sa.text("select description, config_hash from pipelines")).all()
        assert [tuple(r) for r in rows] == [("second", "h2")]
    finally:
        store.close()
