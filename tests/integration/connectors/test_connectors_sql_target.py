"""SqlTarget modes on SQLite, DuckDB and PostgreSQL: reruns never duplicate."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy as sa

from monitor.connectors.sqltarget import SqlTarget
from monitor.errors import SchemaDriftError
from tests.integration.connectors.connectors_ctx import DAY, make_ctx


def _orders(ids: list[int], total: float = 10.0, day: date = date(2024, 3, 5)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": pd.array(ids, dtype="Int64"),
            "total": [total + i for i in range(len(ids))],
            "order_date": pd.array([day] * len(ids), dtype=pd.ArrowDtype(pa.date32())),
            "order_time": pd.to_datetime(["2024-03-05 00:00:00"] * len(ids)),
            "status": ["new"] * len(ids),
        }
    )


def _rows(engine: sa.Engine, table: str, order: str = "order_id") -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        t = sa.table(table, sa.column(order), sa.column("total"))
        return [
            tuple(r) for r in conn.execute(sa.select(t.c[order], t.c.total).order_by(t.c[order]))
        ]


def test_append_and_replace(engine_url: str, tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, sql={"wh": engine_url})
    append = SqlTarget(connection="wh", table="orders", mode="append")
    assert append.write(_orders([1, 2]), ctx).rows_written == 2
    append.write(_orders([3]), ctx)
    engine = ctx.engine_for("wh")
    assert [r[0] for r in _rows(engine, "orders")] == [1, 2, 3]
    replace = SqlTarget(connection="wh", table="orders", mode="replace")
    replace.write(_orders([7, 8]), ctx)
    replace.write(_orders([7, 8]), ctx)
    assert [r[0] for r in _rows(engine, "orders")] == [7, 8]
    engine.dispose()


def test_merge_upserts_on_key_and_rerun_is_idempotent(engine_url: str, tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, sql={"wh": engine_url})
    merge = SqlTarget(connection="wh", table="fact", mode="merge", key=["order_id"])
    merge.write(_orders([1, 2, 3], total=10.0), ctx)
    changed = pd.concat([_orders([2, 3, 4], total=100.0), _orders([4], total=500.0)])
    result = merge.write(changed, ctx)
    assert result.rows_written == 3  # the duplicate key 4 counts once (last wins)
    merge.write(changed, ctx)
    engine = ctx.engine_for("wh")
    assert _rows(engine, "fact") == [(1, 10.0), (2, 100.0), (3, 101.0), (4, 500.0)]
    engine.dispose()


@pytest.mark.parametrize("column", ["order_date", "order_time"])
def test_replace_interval_replaces_only_the_runs_interval(
    engine_url: str, tmp_path: Path, column: str
) -> None:
    ctx = make_ctx(tmp_path, sql={"wh": engine_url})
    target = SqlTarget(
        connection="wh", table="daily", mode="replace_interval", interval_column=column
    )
    other_day = make_ctx(
        tmp_path, sql={"wh": engine_url}, interval=(datetime(2024, 3, 4, tzinfo=UTC), DAY[0])
    )
    yesterday = _orders([1], day=date(2024, 3, 4))
    yesterday["order_time"] = pd.to_datetime(["2024-03-04 23:59:59"])
    target.write(yesterday, other_day)
    for _ in range(2):
        target.write(_orders([5, 6]), ctx)
    engine = ctx.engine_for("wh")
    assert [r[0] for r in _rows(engine, "daily")] == [1, 5, 6]
    engine.dispose()
    other_day.engine_for("wh").dispose()


def test_replace_interval_refuses_rows_outside_the_interval(
    engine_url: str, tmp_path: Path
) -> None:
    ctx = make_ctx(tmp_path, sql={"wh": engine_url})
    target = SqlTarget(
        connection="wh", table="daily", mode="replace_interval", interval_column="order_date"
    )
    with pytest.raises(Exception, match=r"1 row\(s\) have order_date outside the run's interval"):
        target.write(_orders([1], day=date(2024, 3, 9)), ctx)
    ctx.engine_for("wh").dispose()


def test_schema_drift_evolve_adds_the_column(engine_url: str, tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, sql={"wh": engine_url})
    SqlTarget(connection="wh", table="t", mode="append").write(_orders([1]), ctx)
    wider = _orders([2]).assign(channel=["web"])
    SqlTarget(connection="wh", table="t", mode="append").write(wider, ctx)
    engine = ctx.engine_for("wh")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT order_id, channel FROM t ORDER BY order_id")).all()
    assert [tuple(r) for r in rows] == [(1, None), (2, "web")]
    engine.dispose()


def test_schema_drift_fail_names_table_and_column(engine_url: str, tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, sql={"wh": engine_url})
    SqlTarget(connection="wh", table="t", mode="append").write(_orders([1]), ctx)
    strict = SqlTarget(connection="wh", table="t", mode="append", on_schema_change="fail")
    with pytest.raises(SchemaDriftError) as new_column:
        strict.write(_orders([2]).assign(channel=["web"]), ctx)
    assert str(new_column.value) == (
        "wh.t: new column 'channel' is not in the table (on_schema_change: fail; use evolve to add it)"
    )
    with pytest.raises(SchemaDriftError) as changed:
        strict.write(_orders([2]).assign(status=[3]), ctx)
    assert str(changed.value) == (
        "wh.t: column 'status' changed type from text to integer (on_schema_change: fail)"
    )
    evolve = SqlTarget(connection="wh", table="t", mode="append")
    with pytest.raises(
        SchemaDriftError, match="column 'order_id' changed type from integer to text"
    ):
        evolve.write(_orders([2]).assign(order_id=["x"]), ctx)
    ctx.engine_for("wh").dispose()


@pytest.mark.postgres
def test_large_postgres_appends_use_adbc_and_fall_back_to_copy(pg_url: str, tmp_path: Path) -> None:
    from monitor.connectors.bulk import ADBC_MIN_ROWS

    rows = ADBC_MIN_ROWS + 10
    frame = pd.DataFrame({"id": range(rows), "name": ["x"] * rows})
    ctx = make_ctx(tmp_path, sql={"wh": pg_url})
    engine = ctx.engine_for("wh")
    with engine.begin() as conn:  # INTEGER, not BIGINT: ADBC's binary COPY refuses int64
        conn.execute(sa.text("CREATE TABLE narrow (id INTEGER, name TEXT)"))
    for table in ("wide", "narrow"):
        result = SqlTarget(connection="wh", table=table, mode="append").write(frame, ctx)
        assert result.rows_written == rows
        with engine.connect() as conn:
            count = conn.execute(sa.text(f"SELECT COUNT(*), MAX(id) FROM {table}")).one()
        assert tuple(count) == (rows, rows - 1)
    engine.dispose()


def test_an_empty_untyped_frame_creates_no_table(engine_url: str, tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, sql={"wh": engine_url})
    target = SqlTarget(connection="wh", table="later", mode="append")
    assert target.write(pd.DataFrame({"hour": [], "n": []}, dtype=object), ctx).rows_written == 0
    engine = ctx.engine_for("wh")
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("later")
    typed = pd.DataFrame({"hour": pd.Series([], dtype="datetime64[us]")})
    target.write(typed, ctx)  # typed columns: the table is created, empty
    with engine.connect() as conn:
        assert sa.inspect(conn).has_table("later")
    engine.dispose()


def test_no_new_rows_is_a_no_op_for_append_and_merge(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, sql={"wh": f"sqlite:///{tmp_path / 'wh.db'}"})
    merge = SqlTarget(connection="wh", table="fact", mode="merge", key=["order_id"])
    assert merge.write(pd.DataFrame(), ctx).rows_written == 0
    ctx.engine_for("wh").dispose()


@pytest.mark.parametrize("kind", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_target_schema_is_created(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"duckdb:///{tmp_path / 'wh.duckdb'}"
        if kind == "duckdb"
        else request.getfixturevalue("pg_url")
    )
    ctx = make_ctx(tmp_path, sql={"wh": url})
    target = SqlTarget(
        connection="wh", table="orders", schema="staging", mode="merge", key=["order_id"]
    )
    result = target.write(_orders([1, 2]), ctx)
    target.write(_orders([2, 3]), ctx)
    engine = ctx.engine_for("wh")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM staging.orders")).scalar_one() == 3
    engine.dispose()
    assert result.dataset.name.endswith("staging.orders")
