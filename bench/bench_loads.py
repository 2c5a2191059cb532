"""Benchmark: bulk loads through Riverkeeper's load path vs each engine's bare fast path
and vs pandas `to_sql`, on PostgreSQL and DuckDB, measured in the same run.

    .venv/bin/python bench/bench_loads.py [--rows 1000000] [--engines postgres,duckdb]

The load path is `SqlTarget.write` (append into a new table: create, schema
check, bulk insert, commit). Baselines, each into a fresh table created
beforehand: PostgreSQL `COPY ... FROM STDIN (FORMAT csv)` through psycopg 3 and
ADBC `adbc_ingest` (binary COPY from Arrow); DuckDB `register` + `INSERT ... SELECT`.
`to_sql` (default method) runs on a sample (--to-sql-rows) and is reported as rows/s:
at its speed 1M rows take minutes (DuckDB: hours). Best of --repeat, the methods
taking turns. Prints Markdown.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import adbc_driver_postgresql.dbapi  # noqa: F401 - imported before timing (all methods warm)
import numpy as np
import pandas as pd
import sqlalchemy as sa
from pydantic import SecretStr

from monitor.config.project import SqlConnection
from monitor.connectors.base import IOContext
from monitor.connectors.sqltarget import SqlTarget
from monitor.pipeline.engines import create_engine

PG_ADMIN = os.environ.get(
    "RIVERKEEPER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    start = np.datetime64("2024-01-01T00:00:00", "us")
    return pd.DataFrame(
        {
            "order_id": np.arange(rows, dtype="int64"),
            "created_at": start + rng.integers(0, 10**12, rows).astype("timedelta64[us]"),
            "status": rng.choice(["new", "paid", "shipped"], rows),
            "total": rng.uniform(0, 500, rows).round(2),
            "paid": rng.random(rows) < 0.5,
            "email": [f"user{i % 5000}@example.com" for i in range(rows)],
        }
    )


def ctx_for(url: str) -> IOContext:
    engine = create_engine(url)
    return IOContext(
        pipeline="bench",
        task="load",
        run_id="bench",
        interval_start=datetime(2024, 1, 1, tzinfo=UTC),
        interval_end=datetime(2024, 1, 2, tzinfo=UTC),
        connections={"wh": SqlConnection(url=SecretStr(url))},
        engine_for=lambda _name: engine,
        config_dir=Path("."),
        watermarks={},  # type: ignore[arg-type]
    )


def interleaved(
    repeat: int, methods: list[tuple[str, Callable[[str], None], int]]
) -> list[tuple[str, float, int]]:
    """Best time of each method, the methods taking turns (this machine is shared)."""
    times: dict[str, list[float]] = {name: [] for name, _, _ in methods}
    for round_ in range(repeat):
        for name, run, _ in methods:
            if round_ and name.startswith("pandas to_sql"):
                continue  # slow; once is enough
            table = f"t_{uuid.uuid4().hex[:8]}"
            started = time.perf_counter()
            run(table)
            times[name].append(time.perf_counter() - started)
    return [(name, min(times[name]), rows) for name, _, rows in methods]


def create_like(engine: sa.Engine, table: str, data: pd.DataFrame) -> None:
    with engine.begin() as conn:
        data.head(0).to_sql(table, conn, index=False)


def bench_postgres(
    data: pd.DataFrame, sample: pd.DataFrame, repeat: int
) -> list[tuple[str, float, int]]:
    with fresh_pg() as url:
        engine = sa.create_engine(url)
        ctx = ctx_for(url)

        def load_path(table: str) -> None:
            SqlTarget(connection="wh", table=table, mode="append").write(data, ctx)

        def bare_copy(table: str) -> None:
            create_like(engine, table, data)
            with engine.begin() as conn:
                buffer = io.StringIO()
                data.to_csv(buffer, index=False, header=False)
                raw = conn.connection.driver_connection
                with raw.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN (FORMAT csv)") as cp:
                    cp.write(buffer.getvalue())

        def bare_adbc(table: str) -> None:
            import adbc_driver_postgresql.dbapi as adbc
            import pyarrow as pa

            libpq = sa.make_url(url).set(drivername="postgresql").render_as_string(False)
            with adbc.connect(libpq) as conn, conn.cursor() as cur:
                cur.adbc_ingest(table, pa.Table.from_pandas(data, preserve_index=False))
                conn.commit()

        def to_sql(table: str) -> None:
            with engine.begin() as conn:
                sample.to_sql(table, conn, index=False)

        results = interleaved(
            repeat,
            [
                ("load path (SqlTarget append)", load_path, len(data)),
                ("bare COPY csv (psycopg 3)", bare_copy, len(data)),
                ("bare ADBC adbc_ingest", bare_adbc, len(data)),
                ("pandas to_sql (default)", to_sql, len(sample)),
            ],
        )
        ctx.engine_for("wh").dispose()
        engine.dispose()
        return results


def bench_duckdb(
    data: pd.DataFrame, sample: pd.DataFrame, repeat: int
) -> list[tuple[str, float, int]]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"duckdb:///{Path(tmp) / 'bench.duckdb'}"
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        ctx = ctx_for(url)

        def load_path(table: str) -> None:
            SqlTarget(connection="wh", table=table, mode="append").write(data, ctx)

        def bare_insert(table: str) -> None:
            create_like(engine, table, data)
            with engine.begin() as conn:
                raw = conn.connection.driver_connection
                raw.register("bench_frame", data)
                raw.execute(f"INSERT INTO {table} SELECT * FROM bench_frame")
                raw.unregister("bench_frame")

        def to_sql(table: str) -> None:
            with engine.begin() as conn:
                sample.to_sql(table, conn, index=False)

        return interleaved(
            repeat,
            [
                ("load path (SqlTarget append)", load_path, len(data)),
                ("bare register + INSERT ... SELECT", bare_insert, len(data)),
                ("pandas to_sql (default)", to_sql, len(sample)),
            ],
        )


@contextmanager
def fresh_pg() -> Iterator[str]:
    name = f"rk_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def report(engine: str, results: list[tuple[str, float, int]], bare: str) -> None:
    rates = {name: rows / seconds for name, seconds, rows in results}
    load = rates["load path (SqlTarget append)"]
    print(f"\n### {engine}\n")
    print("| method | rows | seconds | rows/s | load path vs this |")
    print("|---|---:|---:|---:|---:|")
    for name, seconds, rows in results:
        print(
            f"| {name} | {rows:,} | {seconds:.2f} | {rows / seconds:,.0f} | {load / rates[name]:.2f}x |"
        )
    print(
        f"\nload path / {bare}: {load / rates[bare]:.2f}x (goal >= 0.8x); "
        f"load path / to_sql: {load / rates['pandas to_sql (default)']:.1f}x (goal >= 5x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--to-sql-rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default="postgres,duckdb")
    args = parser.parse_args()
    data = frame(args.rows)
    sample = data.head(args.to_sql_rows)
    engines = args.engines.split(",")
    print(
        f"bench_loads: {args.rows:,} rows x 6 columns (bigint, timestamp, text, float, bool, text)"
    )
    if "postgres" in engines:
        results = bench_postgres(data, sample, args.repeat)
        best_bare = max(
            ("bare COPY csv (psycopg 3)", "bare ADBC adbc_ingest"),
            key=lambda n: next(r / s for m, s, r in results if m == n),
        )
        report("PostgreSQL", results, best_bare)
    if "duckdb" in engines:
        report(
            "DuckDB", bench_duckdb(data, sample, args.repeat), "bare register + INSERT ... SELECT"
        )


if __name__ == "__main__":
    main()
