"""A deterministic generator of the example project's source data, with planted defects.

Every hour's data comes from its own random stream (seed + the hour), so data
regenerated later is identical for the hours both runs cover, order ids are
stable, and the newest complete day and hour always have rows. Rows "created"
after `now` (late data) are not written yet; a later `demo` adds them.

Planted defects: orders with NULL customer_id or total, duplicate order rows,
negative totals, shipped_date before order_date, messy status text, late rows;
customers with bad emails and duplicates; products.csv with malformed lines;
anonymous clickstream events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

SEGMENTS = ["Consumer", "Corporate", "Home Office", "Small Business"]
CATEGORIES = ["Electronics", "Furniture", "Office Supplies", "Books", "Garden"]
STATUSES = ["pending", "shipped", "delivered", "cancelled", " Shipped ", "DELIVERED"]
PAGES = ["/", "/search", "/product", "/cart", "/checkout"]
FIRST = ["Ada", "Ben", "Chloe", "Dan", "Eva", "Finn", "Grace", "Hugo", "Iris", "Jon", "Kim", "Leo"]
LAST = ["Smith", "Jones", "Garcia", "Chen", "Novak", "Okafor", "Rossi", "Silva", "Weber", "Young"]
N_CUSTOMERS = 200
N_PRODUCTS = 40


@dataclass(frozen=True)
class DemoData:
    orders: pd.DataFrame
    customers: list[dict[str, Any]]
    products_csv: str
    events: pd.DataFrame
    start: datetime
    end: datetime


def _rng(seed: int, *key: int) -> np.random.Generator:
    import numpy as np

    return np.random.default_rng([seed, *key])


def generate(now: datetime, *, seed: int = 42, days: int = 3) -> DemoData:
    """Data from `days` days before today (UTC) up to the start of the current hour."""
    import pandas as pd

    now = now.astimezone(UTC)
    end = now.replace(minute=0, second=0, microsecond=0)
    start = end.replace(hour=0) - timedelta(days=days)
    prices = _product_prices(seed)
    orders: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    hour = start
    while hour < end:
        got_orders, got_events = _hour(seed, hour, prices)
        orders += [o for o in got_orders if o["created_at"] <= now.replace(tzinfo=None)]
        events += got_events
        hour += timedelta(hours=1)
    order_frame = pd.DataFrame(orders, columns=_ORDER_COLUMNS)
    event_frame = pd.DataFrame(events, columns=_EVENT_COLUMNS)
    return DemoData(
        orders=order_frame,
        customers=_customers(seed),
        products_csv=_products_csv(seed, prices),
        events=event_frame,
        start=start,
        end=end,
    )


_ORDER_COLUMNS = [
    "order_id", "customer_id", "product_id", "session_id", "order_date", "order_time",
    "shipped_date", "quantity", "total", "status", "created_at",
]  # fmt: skip
_EVENT_COLUMNS = ["event_id", "session_id", "customer_id", "event_type", "page", "event_time"]


def _hour(
    seed: int, hour: datetime, prices: dict[int, float]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The sessions, events and orders of one hour."""
    index = int(hour.timestamp() // 3600)
    rng = _rng(seed, index)
    base = hour.replace(tzinfo=None)
    orders: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for s in range(int(rng.integers(15, 40))):
        session = f"s{index}-{s}"
        customer = int(rng.integers(1, N_CUSTOMERS + 1)) if rng.random() > 0.2 else None
        first = base + timedelta(seconds=int(rng.integers(0, 2400)))
        t = first
        for e in range(int(rng.integers(1, 7))):
            kind = "page_view" if e == 0 else str(rng.choice(["page_view", "add_to_cart", "click"]))
            events.append(
                {
                    "event_id": f"e{index}-{s}-{e}",
                    "session_id": session,
                    "customer_id": customer,
                    "event_type": kind,
                    "page": str(rng.choice(PAGES)),
                    "event_time": t,
                }
            )
            t += timedelta(seconds=int(rng.integers(5, 150)))
        if rng.random() < 0.22 and t < base + timedelta(hours=1):
            orders += _orders(rng, index, len(orders), session, customer, t, prices)
    return orders, events


def _orders(
    rng: np.random.Generator,
    index: int,
    k: int,
    session: str,
    customer: int | None,
    at: datetime,
    prices: dict[int, float],
) -> list[dict[str, Any]]:
    product = int(rng.integers(1, N_PRODUCTS + 1))
    quantity = int(rng.integers(1, 5))
    total: float | None = round(prices[product] * quantity, 2)
    roll = rng.random()
    if roll < 0.03:
        total = -abs(total or 0)  # a refund booked as an order
    elif roll < 0.06:
        total = None
    if rng.random() < 0.05:
        customer = None
    elif customer is None:
        customer = int(rng.integers(1, N_CUSTOMERS + 1))
    status = str(rng.choice(STATUSES))
    shipped: date | None = None
    if status.strip().lower() in ("shipped", "delivered"):
        shipped = at.date() + timedelta(days=int(rng.integers(0, 3)))
        if rng.random() < 0.05:
            shipped = at.date() - timedelta(days=int(rng.integers(1, 4)))  # before it was placed
    delay = timedelta(seconds=int(rng.integers(1, 60)))
    if rng.random() < 0.04:
        delay = timedelta(hours=int(rng.integers(2, 30)))  # late-arriving row
    row = {
        "order_id": index * 1000 + k,
        "customer_id": customer,
        "product_id": product,
        "session_id": session,
        "order_date": at.date(),
        "order_time": at,
        "shipped_date": shipped,
        "quantity": quantity,
        "total": total,
        "status": status,
        "created_at": at + delay,
    }
    return [row, dict(row)] if rng.random() < 0.03 else [row]  # duplicates


def _product_prices(seed: int) -> dict[int, float]:
    rng = _rng(seed, 1)
    return {p: round(float(rng.uniform(2, 400)), 2) for p in range(1, N_PRODUCTS + 1)}


def _products_csv(seed: int, prices: dict[int, float]) -> str:
    rng = _rng(seed, 2)
    lines = ["product_id,name,category,price"]
    for p, price in prices.items():
        category = CATEGORIES[int(rng.integers(0, len(CATEGORIES)))]
        lines.append(f"{p},Product {p},{category},{price}")
    lines.insert(7, "7b,Broken Lamp,Furniture,12.5,extra")  # too many fields
    lines.insert(15, "999,Mystery Box")  # too few fields
    lines.insert(23, "998,Gift Card,Books,free")  # price is not a number
    return "\n".join(lines) + "\n"


def _customers(seed: int) -> list[dict[str, Any]]:
    rng = _rng(seed, 3)
    out: list[dict[str, Any]] = []
    for c in range(1, N_CUSTOMERS + 1):
        first, last = FIRST[c % len(FIRST)], LAST[(c * 7) % len(LAST)]
        email = f"{first}.{last}{c}@example.com".lower()
        roll = rng.random()
        if roll < 0.03:
            email = f"{first}.{last}{c}@".lower()
        elif roll < 0.05:
            email = f"{first}{c} at example.com".lower()
        created = datetime(2023, 1, 1) + timedelta(days=int(rng.integers(0, 600)))
        out.append(
            {
                "customer_id": c,
                "first_name": f" {first}" if roll > 0.97 else first,
                "last_name": last,
                "email": email,
                "customer_segment": SEGMENTS[int(rng.integers(0, len(SEGMENTS)))],
                "created_at": created.isoformat(),
            }
        )
    out += [dict(out[c]) for c in (4, 41, 99)]  # duplicates
    return out


def write_files(data: DemoData, files_root: Path) -> dict[str, int]:
    """products.csv and clickstream/year=/month=/day=/hour=/events.parquet below files_root."""
    import shutil

    files_root.mkdir(parents=True, exist_ok=True)
    (files_root / "products.csv").write_text(data.products_csv)
    clicks = files_root / "clickstream"
    shutil.rmtree(clicks, ignore_errors=True)
    events = data.events
    hours = events["event_time"].dt.floor("h")
    for stamp, part in events.groupby(hours, sort=True):
        ts = stamp.to_pydatetime()
        folder = clicks / f"year={ts.year}/month={ts.month:02d}/day={ts.day:02d}/hour={ts.hour:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        part.to_parquet(folder / "events.parquet", index=False)
    (files_root / "customers.json").write_text(json.dumps(data.customers, indent=1))
    return {"products": N_PRODUCTS, "events": len(events), "partitions": int(hours.nunique())}
