"""Live demo data: after feed ticks, the orders database and the clickstream folders hold
exactly what a fresh `demo` at the later time would write (late rows included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from monitor.demo.database import write_orders
from monitor.demo.feed import FeedState, feed_tick
from monitor.demo.generate import generate, write_files


def _orders(url: str) -> pd.DataFrame:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        frame = pd.read_sql(sa.text("SELECT order_id, created_at FROM orders"), conn)
    engine.dispose()
    return frame.sort_values(["order_id", "created_at"]).reset_index(drop=True)


def test_feed_ticks_catch_up_with_a_fresh_generation(tmp_path: Path) -> None:
    start = datetime(2024, 3, 5, 13, 20, tzinfo=UTC)
    url, files = f"sqlite:///{tmp_path / 'fed.db'}", tmp_path / "fed"
    first = generate(start, days=1)
    write_orders(url, first.orders)
    write_files(first, files)
    state = FeedState(since=start.replace(tzinfo=None), end=first.end.replace(tzinfo=None))
    total = 0
    for minutes in (30, 70, 200, 460):  # ticks across hour boundaries and for late rows
        state, added = feed_tick(
            url, files, state, start + timedelta(minutes=minutes), seed=42, days=1
        )
        total += added
    later = start + timedelta(minutes=460)
    fresh_url, fresh_files = f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path / "fresh"
    fresh = generate(later, days=1)
    write_orders(
        fresh_url, fresh.orders[fresh.orders["order_time"] >= first.start.replace(tzinfo=None)]
    )
    write_files(fresh, fresh_files)
    fed, want = _orders(url), _orders(fresh_url)
    assert total > 0 and len(fed) == len(first.orders) + total
    pd.testing.assert_frame_equal(fed, want)
    assert _hours(files / "clickstream") == _hours(fresh_files / "clickstream")


def _hours(root: Path) -> list[str]:
    return sorted(str(p.parent.relative_to(root)) for p in root.rglob("*.parquet"))
