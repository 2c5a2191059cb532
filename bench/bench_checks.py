"""Benchmark: a 10-check suite vs hand-written SQL, on DuckDB and PostgreSQL.

    .venv/bin/python bench/bench_checks.py [--rows 1000000,10000000] [--engines duckdb,postgres]

(`--engines sqlite` works too: SQLite is not in the default run.)

The suite (row count, not-null, unique, non-negative, accepted values, email
regex, not-null date, shipped-before-ordered, average in bounds, freshness)
runs through `checks.run_suite`; the baselines are a hand-written single
aggregate query and a two-query variant (COUNT DISTINCT in its own query),
measured in the same run, interleaved in a shuffled order, best and median
of --repeat (this machine is shared: the load average is printed too). The data is clean, so
every check passes and no sample query runs. On PostgreSQL the suite also runs with its
two statements in turn on one connection, to show what running them at once gains.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from pydantic import TypeAdapter

from checks import CheckSpec, run_suite

PG_ADMIN = os.environ.get(
    "RIVERKEEPER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
EMAIL = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
NOW = datetime(2025, 1, 1, tzinfo=UTC)

SUITE = TypeAdapter(list[CheckSpec]).validate_python(
    [
        {"type": "row_count"},
        {"type": "missing", "column": "customer_id"},
        {"type": "duplicates", "column": "order_id"},
        {"type": "validity", "column": "total", "min": 0},
        {"type": "validity", "column": "status", "accepted_values": ["new", "paid", "shipped"]},
        {"type": "validity", "column": "email", "format": "email"},
        {"type": "missing", "column": "order_date"},
        {"type": "condition", "fails_when": "shipped_date < order_date"},
        {
            "type": "aggregate",
            "column": "total",
            "function": "avg",
            "fail": "not between 1 and 1000",
        },
        {"type": "freshness", "column": "created_at", "fail": "> 30d"},
    ]
)

GENERATE = {
    "duckdb": """CREATE TABLE orders AS SELECT
        i::BIGINT AS order_id, (i % 50000)::BIGINT AS customer_id,
        'user' || i || '@example.com' AS email, (i % 1000) / 10.0 + 1 AS total,
        ['new', 'paid', 'shipped'][(i % 3)::INT + 1] AS status,
        DATE '2024-01-01' + (i % 365)::INT AS order_date,
        DATE '2024-01-01' + (i % 365)::INT + (i % 5)::INT AS shipped_date,
        TIMESTAMP '2024-12-01' + to_seconds(i % 2000000) AS created_at
        FROM range(1, {n} + 1) t(i)""",
    "postgresql": """CREATE TABLE orders AS SELECT
        i::BIGINT AS order_id, (i % 50000)::BIGINT AS customer_id,
        'user' || i || '@example.com' AS email, ((i % 1000) / 10.0 + 1)::DOUBLE PRECISION AS total,
        (ARRAY['new', 'paid', 'shipped'])[(i % 3) + 1] AS status,
        DATE '2024-01-01' + (i % 365) AS order_date,
        DATE '2024-01-01' + (i % 365) + (i % 5) AS shipped_date,
        TIMESTAMP '2024-12-01' + make_interval(secs => i % 2000000) AS created_at
        FROM generate_series(1, {n}) i""",
    "sqlite": """CREATE TABLE orders (order_id INTEGER, customer_id INTEGER, email TEXT,
        total REAL, status TEXT, order_date DATE, shipped_date DATE, created_at DATETIME);
        INSERT INTO orders WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r
        WHERE i < {n}) SELECT i, i % 50000, 'user' || i || '@example.com', (i % 1000) / 10.0 + 1,
        CASE i % 3 WHEN 0 THEN 'new' WHEN 1 THEN 'paid' ELSE 'shipped' END,
        date('2024-01-01', '+' || (i % 365) || ' days'),
        date('2024-01-01', '+' || (i % 365 + i % 5) || ' days'),
        datetime('2024-12-01', '+' || (i % 2000000) || ' seconds') FROM r""",
}

_AGG = """count(*), count(*) - count(customer_id), {unique}
    count(*) FILTER (WHERE total < 0),
    count(*) FILTER (WHERE status NOT IN ('new', 'paid', 'shipped')),
    count(*) FILTER (WHERE {not_email}),
    count(*) - count(order_date), count(*) FILTER (WHERE shipped_date < order_date),
    avg(total), max(created_at)"""
NOT_EMAIL = {
    "duckdb": f"NOT regexp_matches(email, '{EMAIL}')",
    "postgresql": f"email !~ '{EMAIL}'",
    "sqlite": f"NOT (email REGEXP '{EMAIL}')",  # SQLAlchemy's Python re.search
}
UNIQUE = "count(order_id) - count(DISTINCT order_id),"
IN_TURN = "riverkeeper suite, statements in turn"


def hand_single(kind: str) -> list[str]:
    return [f"SELECT {_AGG.format(unique=UNIQUE, not_email=NOT_EMAIL[kind])} FROM orders"]


def hand_two(kind: str) -> list[str]:
    return [
        f"SELECT {_AGG.format(unique='', not_email=NOT_EMAIL[kind])} FROM orders",
        f"SELECT {UNIQUE.rstrip(',')} FROM orders",
    ]


def timed(fn: Callable[[], int]) -> tuple[float, int]:
    t0 = time.perf_counter()
    queries = fn()
    return time.perf_counter() - t0, queries


def driver_sql(engine: sa.Engine, sql: str) -> str:
    """psycopg reads % as a placeholder even without parameters."""
    return sql.replace("%", "%%") if engine.dialect.name == "postgresql" else sql


def run_hand(engine: sa.Engine, sqls: list[str]) -> int:
    with engine.connect() as conn:
        for sql in sqls:
            conn.exec_driver_sql(driver_sql(engine, sql)).all()
    return len(sqls)


def run_ours(engine: sa.Engine) -> int:
    run = run_suite(
        engine, "orders", SUITE, dataset="bench.orders", now=NOW, key_columns=["order_id"]
    )
    bad = [r for r in run.results if r.outcome != "pass"]
    assert not bad, [(r.name, r.outcome, r.message) for r in bad]
    return run.queries_issued


def bench(kind: str, engine: sa.Engine, n: int, repeat: int) -> list[str]:
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS orders")
        for statement in GENERATE[kind].format(n=n).split(";"):
            conn.exec_driver_sql(driver_sql(engine, statement))
    if kind == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE orders")
    print(f"   generated {n:,} rows in {kind} in {time.perf_counter() - t0:.1f}s", flush=True)
    variants: dict[str, Callable[[], int]] = {
        "riverkeeper suite": lambda: run_ours(engine),
        "hand-written, one query": lambda: run_hand(engine, hand_single(kind)),
        "hand-written, two queries": lambda: run_hand(engine, hand_two(kind)),
    }
    if kind == "postgresql":
        # The suite with its two statements in turn: an engine with one shared connection
        # is never split across connections (checks.engine._pooled).
        one = sa.create_engine(engine.url, poolclass=sa.pool.StaticPool)
        variants[IN_TURN] = lambda: run_ours(one)
    for fn in variants.values():  # warm caches once
        fn()
    times: dict[str, list[float]] = {name: [] for name in variants}
    queries: dict[str, int] = {}
    order = list(variants)
    for rep in range(repeat):
        random.Random(rep).shuffle(order)  # no variant always runs first
        for name in order:
            secs, queries[name] = timed(variants[name])
            times[name].append(secs)
    best = {name: min(ts) for name, ts in times.items()}
    base = min(v for k, v in best.items() if k.startswith("hand-written"))
    load = os.getloadavg()[0]
    return [
        f"| {kind} | {n:,} | {name} | {best[name]:.3f} | {statistics.median(times[name]):.3f} "
        f"| {best[name] / base:.2f}x | {queries[name]} | {load:.1f} |"
        for name in variants
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="1000000,10000000")
    parser.add_argument("--engines", default="duckdb,postgres")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = [int(r) for r in args.rows.split(",")]
    lines = [
        (
            "| engine | rows | variant | best s | median s | best vs best hand-written | queries "
            "| load avg |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.engines.split(","):
            for n in rows:
                if name in ("duckdb", "sqlite"):
                    engine = sa.create_engine(f"{name}:///{Path(tmp) / ('bench.' + name)}")
                    lines += bench(name, engine, n, args.repeat)
                    engine.dispose()
                else:
                    lines += bench_pg(n, args.repeat)
                print("\n".join(lines), flush=True)
    print("\n".join(lines))


def bench_pg(n: int, repeat: int) -> list[str]:
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    db = f"rk_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{db}"')
    engine = sa.create_engine(sa.make_url(PG_ADMIN).set(database=db))
    try:
        return bench("postgresql", engine, n, repeat)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
