"""An `orders` table with known defects, and a `customers` table, on each engine."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

NOW = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)

ORDERS = sa.Table(
    "orders",
    sa.MetaData(),
    sa.Column("order_id", sa.BigInteger),
    sa.Column("customer_id", sa.BigInteger, nullable=True),
    sa.Column("email", sa.String(100), nullable=True),
    sa.Column("total", sa.Float, nullable=True),
    sa.Column("status", sa.String(20)),
    sa.Column("order_date", sa.Date),
    sa.Column("shipped_date", sa.Date, nullable=True),
    sa.Column("created_at", sa.DateTime),
)
CUSTOMERS = sa.Table(
    "customers",
    sa.MetaData(),
    sa.Column("customer_id", sa.BigInteger),
    sa.Column("name", sa.String(50)),
)

D = date(2024, 1, 5)
# order_id 2 appears 3 times (2 extra rows), 7 twice (1 extra): 3 duplicates.
# customer_id NULL twice; 99 and 98 are not customers. total NULL once, negative twice.
# email: 2 invalid ('bad', 'no@tld'), 1 empty, 1 NULL. status 'weird' once.
# shipped before ordered: order 3 and order 8.
ROWS = [
    (1, 10, "a@example.com", 10.0, "new", D, date(2024, 1, 6), datetime(2024, 1, 9, 10)),
    (2, 11, "b@example.com", 20.0, "paid", D, date(2024, 1, 7), datetime(2024, 1, 9, 11)),
    (2, 11, "bad", -5.0, "paid", D, None, datetime(2024, 1, 9, 12)),
    (2, None, "", 30.0, "new", D, None, datetime(2024, 1, 9, 13)),
    (3, 12, "no@tld", 40.0, "shipped", D, date(2024, 1, 4), datetime(2024, 1, 9, 14)),
    (4, 99, None, None, "weird", D, None, datetime(2024, 1, 9, 15)),
    (5, 10, "c@example.org", -1.5, "new", D, date(2024, 1, 5), datetime(2024, 1, 9, 16)),
    (7, None, "d@example.org", 60.0, "new", D, None, datetime(2024, 1, 9, 17)),
    (7, 98, "e@example.org", 70.0, "shipped", D, date(2024, 1, 6), datetime(2024, 1, 9, 18)),
    (8, 12, "f@example.org", 80.0, "paid", D, date(2023, 12, 31), datetime(2024, 1, 10, 0)),
]


@pytest.fixture
def orders_engine(engine: sa.Engine) -> sa.Engine:
    ORDERS.create(engine)
    CUSTOMERS.create(engine)
    cols = [c.name for c in ORDERS.columns]
    with engine.begin() as conn:
        conn.execute(ORDERS.insert(), [dict(zip(cols, r, strict=True)) for r in ROWS])
        conn.execute(
            CUSTOMERS.insert(), [{"customer_id": i, "name": f"c{i}"} for i in (10, 11, 12)]
        )
    return engine
