"""The "production" orders database of the demo (SQLite by default, PostgreSQL when configured)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from monitor.connectors.bulk import bulk_insert

if TYPE_CHECKING:
    import pandas as pd


def orders_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "orders",
        metadata,
        sa.Column("order_id", sa.BigInteger, nullable=False),  # no key: duplicates are planted
        sa.Column("customer_id", sa.BigInteger),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("session_id", sa.Text),
        sa.Column("order_date", sa.Date, nullable=False),
        sa.Column("order_time", sa.DateTime, nullable=False),
        sa.Column("shipped_date", sa.Date),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("total", sa.Float(precision=53)),
        sa.Column("status", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Index("ix_orders_created_at", "created_at"),
        sa.Index("ix_orders_order_time", "order_time"),
    )


def write_orders(url: str, orders: pd.DataFrame) -> int:
    """Replace the orders table with `orders` (one transaction)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        metadata = sa.MetaData()
        table = orders_table(metadata)
        with engine.begin() as conn:
            metadata.drop_all(conn)
            metadata.create_all(conn)
            return bulk_insert(conn, table, orders)
    finally:
        engine.dispose()
