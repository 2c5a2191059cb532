"""Live demo data: new orders and clickstream hours appended as time passes.

`riverkeeper demo --live` makes the background API process also call `feed_tick`
every minute, so a scheduler (`riverkeeper serve`) keeps finding fresh data.
The same deterministic generator decides the rows: a tick adds the orders of
hours completed since the last tick, plus late rows of older hours created since
then, and the clickstream folders of the new hours.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from monitor.connectors.bulk import bulk_insert
from monitor.demo.database import orders_table
from monitor.demo.generate import generate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedState:
    since: datetime  # rows created up to here are written (naive UTC)
    end: datetime  # hours before this are written (naive UTC, on the hour)


def feed_tick(
    url: str, files: Path, state: FeedState, now: datetime, *, seed: int, days: int
) -> tuple[FeedState, int]:
    """Append what became due between `state` and `now`; the new state and the row count."""
    data = generate(now, seed=seed, days=days)
    now_naive = now.astimezone(UTC).replace(tzinfo=None)
    end = data.end.replace(tzinfo=None)
    orders = data.orders
    created = (orders["created_at"] > state.since) & (orders["created_at"] <= now_naive)
    new_hours = (orders["order_time"] >= state.end) & (orders["created_at"] <= now_naive)
    old_hours = (orders["order_time"] < state.end) & created
    due = orders[new_hours | old_hours]
    if not due.empty:
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        try:
            with engine.begin() as conn:
                bulk_insert(conn, orders_table(sa.MetaData()), due)
        finally:
            engine.dispose()
    events = data.events[data.events["event_time"] >= state.end]
    for stamp, part in events.groupby(events["event_time"].dt.floor("h"), sort=True):
        ts = stamp.to_pydatetime()
        folder = (
            files
            / "clickstream"
            / (f"year={ts.year}/month={ts.month:02d}/day={ts.day:02d}/hour={ts.hour:02d}")
        )
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / ".events.parquet.tmp"
        part.to_parquet(tmp, index=False)
        tmp.replace(folder / "events.parquet")
    return FeedState(since=now_naive, end=max(end, state.end)), len(due)


def feed_forever(
    url: str,
    files: Path,
    state: FeedState,
    *,
    every: float,
    seed: int,
    days: int,
    stop: threading.Event,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    while not stop.wait(every):
        try:
            state, count = feed_tick(url, files, state, clock(), seed=seed, days=days)
            log.info("demo feed: %d new orders", count)
        except Exception:
            log.exception("demo feed failed (retried at the next tick)")
