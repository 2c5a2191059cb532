"""The 0002_alerts revision creates exactly what the ORM describes, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from monitor.store.db import create_store_engine, current_heads, migrate
from monitor.store.models import metadata

ALERT_TABLES = {"alert_states", "alert_history", "alert_groups"}


def _table_of(diff: object) -> str:
    """The table an Alembic autogenerate diff is about."""
    item = diff[0] if isinstance(diff, list) else diff
    assert isinstance(item, tuple)
    kind, target = item[0], item[1]
    if kind in ("add_table", "remove_table"):
        return str(target.name)
    if kind.endswith(("_index", "_constraint", "_fk")):
        return str(target.table.name)
    return str(item[2])  # add_column, remove_column, modify_*: (kind, schema, table, ...)


def test_migrated_alert_tables_match_the_orm(store_url: str) -> None:
    engine = create_store_engine(store_url)
    migrate(engine)
    assert "0002_alerts" in current_heads(engine)
    with engine.connect() as conn:
        assert ALERT_TABLES <= set(sa.inspect(conn).get_table_names())
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, metadata)
    mine = [d for d in diffs if _table_of(d) in ALERT_TABLES]
    assert mine == []
    # the filter itself sees a difference in one of these tables
    extra = sa.Table("alert_groups", sa.MetaData(), sa.Column("channel", sa.String(200)))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert any(
            _table_of(d) == "alert_groups" for d in compare_metadata(context, extra.metadata)
        )
    engine.dispose()


def test_migrating_twice_keeps_alert_rows(store_url: str) -> None:
    engine = create_store_engine(store_url)
    migrate(engine)
    table = metadata.tables["alert_groups"]
    now = datetime(2026, 11, 25, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            table.insert().values(
                channel="log", group_key="k", labels={"a": "b"}, first_seen_at=now, last_digest=""
            )
        )
    migrate(engine)
    with engine.connect() as conn:
        row = conn.execute(sa.select(table)).one()
    assert row.labels == {"a": "b"} and row.first_seen_at == now
    engine.dispose()
