"""Sources against real engines and files: interval parameters, incremental cursor,
JSON / JSON Lines, hive-partitioned Parquet; malformed records are counted and kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from monitor.connectors.jsonfile import JsonSource
from monitor.connectors.parquet import ParquetSource
from monitor.connectors.sql import SqlSource
from monitor.demo.database import write_orders
from monitor.errors import ConnectionFailedError, DataError
from tests.integration.connectors.connectors_ctx import Marks, make_ctx


def _orders() -> pd.DataFrame:
    times = pd.to_datetime(
        ["2024-03-04 23:59:59", "2024-03-05 00:00:00", "2024-03-05 13:30:00", "2024-03-06 00:00:00"]
    )
    return pd.DataFrame(
        {
            "order_id": [1, 2, 3, 4],
            "customer_id": [10, None, 12, 13],
            "product_id": [1, 1, 2, 2],
            "session_id": ["a", "b", "c", "d"],
            "order_date": times.date,
            "order_time": times,
            "shipped_date": [None] * 4,
            "quantity": [1, 2, 3, 4],
            "total": [5.0, None, -1.0, 8.0],
            "status": ["new"] * 4,
            "created_at": times + pd.Timedelta(seconds=5),
        }
    )


def test_query_with_interval_parameters(engine_url: str, tmp_path: Path) -> None:
    write_orders(engine_url, _orders())
    ctx = make_ctx(tmp_path, sql={"db": engine_url})
    by_time = SqlSource(
        connection="db",
        query="SELECT order_id FROM orders WHERE order_time >= :interval_start "
        "AND order_time < :interval_end ORDER BY order_id",
    )
    assert by_time.read(ctx).frame["order_id"].tolist() == [2, 3]
    by_date = SqlSource(
        connection="db",
        query="SELECT order_id FROM orders WHERE order_date >= :interval_start_date "
        "AND order_date < :interval_end_date ORDER BY order_id",
        chunk_size=1,
    )
    result = by_date.read(ctx)
    assert result.frame["order_id"].tolist() == [2, 3]
    assert result.rows_in == 2 and result.dataset.connection == "db"
    ctx.engine_for("db").dispose()


def test_incremental_cursor_reads_only_new_rows(engine_url: str, tmp_path: Path) -> None:
    write_orders(engine_url, _orders())
    marks = Marks()
    source = SqlSource(connection="db", table="orders", incremental={"cursor": "created_at"})
    first_day = (datetime(2024, 3, 5, tzinfo=UTC), datetime(2024, 3, 6, tzinfo=UTC))
    ctx = make_ctx(tmp_path, sql={"db": engine_url}, marks=marks, interval=first_day)
    first = source.read(ctx)
    assert first.frame["order_id"].tolist() == [1, 2, 3]  # up to the interval end
    assert first.watermark is not None and first.watermark[0] == "db.orders.created_at"
    marks[first.watermark[0]] = first.watermark[1]
    assert source.read(ctx).frame.empty  # the same run again: nothing new
    later = make_ctx(
        tmp_path,
        sql={"db": engine_url},
        marks=marks,
        interval=(first_day[1], datetime(2024, 3, 7, tzinfo=UTC)),
        engines={"db": ctx.engine_for("db")},
    )
    second = source.read(later)
    assert second.frame["order_id"].tolist() == [4]
    assert second.watermark is not None and second.watermark[1] != first.watermark[1]
    query = SqlSource(
        connection="db",
        query="SELECT order_id, created_at FROM orders WHERE quantity >= :min_q",
        params={"min_q": 2},
        incremental={"cursor": "created_at"},
    )
    fresh = make_ctx(
        tmp_path, sql={"db": engine_url}, interval=first_day, engines={"db": ctx.engine_for("db")}
    )
    assert query.read(fresh).frame["order_id"].tolist() == [2, 3]  # before the interval end
    assert query.watermark_key(later) == "db.t.created_at"  # a query's key names its task
    marks["db.t.created_at"] = first.watermark[1]
    assert query.read(later).frame["order_id"].tolist() == [4]  # after the stored watermark
    ctx.engine_for("db").dispose()


def test_declared_types_reject_values_that_do_not_parse(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'src.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (id TEXT, amount TEXT)"))
        conn.execute(sa.text("INSERT INTO t VALUES ('1', '2.5'), ('2', 'n/a'), ('x', '3')"))
    engine.dispose()
    ctx = make_ctx(tmp_path, sql={"db": url})
    result = SqlSource(connection="db", table="t", columns={"id": "int", "amount": "float"}).read(
        ctx
    )
    assert result.rows_in == 3 and len(result.frame) == 1
    assert [(r.reason, r.location) for r in result.rejected] == [
        ("column 'amount': 'n/a' is not a valid float", "row 2"),
        ("column 'id': 'x' is not a valid int", "row 3"),
    ]
    assert result.rejected[1].raw == '{"id": "x", "amount": "3"}'
    assert result.rows_in == len(result.frame) + len(result.rejected)
    ctx.engine_for("db").dispose()


def test_unreachable_database_names_connection_without_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://shop:s3cret-pw@127.0.0.1:1/shop"
    ctx = make_ctx(tmp_path, sql={"production": url})
    with pytest.raises(ConnectionFailedError) as caught:
        SqlSource(connection="production", table="orders").read(ctx)
    message = str(caught.value)
    assert message.startswith(
        "connection 'production' (postgresql+psycopg://shop:***@127.0.0.1:1/shop) failed: "
    )
    assert "s3cret-pw" not in message and caught.value.transient


def test_json_and_json_lines_keep_malformed_records(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(
        '{"id": 1, "at": "2024-03-05T10:00:00"}\n'
        "{not json}\n"
        "[1, 2]\n"
        '{"id": "two", "at": "2024-03-05"}\n'
        '{"id": 3}\n'
    )
    ctx = make_ctx(tmp_path)
    lines = JsonSource(
        connection="files", path="a.jsonl", lines=True, columns={"id": "int", "at": "timestamp"}
    ).read(ctx)
    assert lines.frame["id"].tolist() == [1, 3]
    assert [(r.reason, r.location) for r in lines.rejected] == [
        ("not valid JSON: Expecting property name enclosed in double quotes", "a.jsonl:2"),
        ("expected a JSON object, found list", "a.jsonl:3"),
        ("column 'id': 'two' is not a valid int", "record 2"),
    ]
    assert lines.rows_in == 5 == len(lines.frame) + len(lines.rejected)
    (tmp_path / "b.json").write_text('{"data": [{"id": 1}, {"id": 2}, "oops"]}')
    doc = JsonSource(connection="files", path="b.json", records="data").read(ctx)
    assert doc.frame["id"].tolist() == [1, 2] and doc.rows_in == 3
    (tmp_path / "c.json").write_text('{"data": [}')
    with pytest.raises(DataError, match=r"^files:c.json: not valid JSON at line 1 column 11"):
        JsonSource(connection="files", path="c.json").read(ctx)
    with pytest.raises(DataError, match="^files:b.json: the document has no key 'rows'$"):
        JsonSource(connection="files", path="b.json", records="rows").read(ctx)


def test_parquet_hive_partitions_are_selected_by_the_interval(tmp_path: Path) -> None:
    for hour in (12, 13, 14):
        folder = tmp_path / f"clicks/year=2024/month=03/day=05/hour={hour:02d}"
        folder.mkdir(parents=True)
        times = pd.to_datetime([f"2024-03-05 {hour}:10:00", f"2024-03-05 {hour}:50:00"])
        pd.DataFrame({"event_id": [f"{hour}a", f"{hour}b"], "event_time": times}).to_parquet(
            folder / "part.parquet"
        )
    # a late event filed in hour 13's folder but belonging to hour 12
    late = tmp_path / "clicks/year=2024/month=03/day=05/hour=13/late.parquet"
    pd.DataFrame(
        {"event_id": ["late"], "event_time": pd.to_datetime(["2024-03-05 12:59:00"])}
    ).to_parquet(late)
    hour13 = (datetime(2024, 3, 5, 13, tzinfo=UTC), datetime(2024, 3, 5, 14, tzinfo=UTC))
    ctx = make_ctx(tmp_path, interval=hour13)
    source = ParquetSource(connection="files", path="clicks", partition_by="hour")
    assert sorted(source.read(ctx).frame["event_id"]) == ["13a", "13b", "late"]
    strict = ParquetSource(
        connection="files", path="clicks", partition_by="hour", interval_column="event_time"
    )
    result = strict.read(ctx)
    assert sorted(result.frame["event_id"]) == ["13a", "13b"]
    assert result.rows_in == 3  # the late row is filtered on purpose, and counted
    empty = make_ctx(
        tmp_path, interval=(datetime(2024, 3, 6, tzinfo=UTC), datetime(2024, 3, 6, 1, tzinfo=UTC))
    )
    assert source.read(empty).frame.empty


def test_locked_duckdb_file_is_a_transient_error_that_says_so(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "wh.duckdb"
    script = (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
        "c.execute('CREATE TABLE t (x INT)'); print('ready', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        ctx = make_ctx(tmp_path, sql={"warehouse": f"duckdb:///{path}"})
        with pytest.raises(ConnectionFailedError) as caught:
            SqlSource(connection="warehouse", table="t").read(ctx)
        assert str(caught.value).startswith(
            f"connection 'warehouse' (duckdb:///{path}) failed: "
            "the DuckDB file is locked by another process ("
        )
        assert caught.value.transient
    finally:
        holder.kill()
        holder.wait()


def test_csv_and_json_lines_hive_partitions_by_interval(tmp_path: Path) -> None:
    from monitor.connectors.files import CsvSource

    for day in (4, 5, 6):
        folder = tmp_path / f"sales/year=2024/month=03/day={day:02d}"
        folder.mkdir(parents=True)
        (folder / "a.csv").write_text(f"id,amount\n{day}1,1.5\n{day}2,oops\n")
        (folder / "b.jsonl").write_text(f'{{"id": {day}3}}\nnot json\n')
    ctx = make_ctx(tmp_path)  # the interval is the day 2024-03-05
    csv = CsvSource(
        connection="files", path="sales", partition_by="day", columns={"amount": "float"}
    ).read(ctx)
    assert csv.frame["id"].tolist() == ["51"]
    assert [r.reason for r in csv.rejected] == ["column 'amount': 'oops' is not a valid float"]
    assert csv.rows_in == 2 and csv.dataset.name == str(tmp_path / "sales")
    lines = JsonSource(connection="files", path="sales", lines=True, partition_by="day").read(ctx)
    assert lines.frame["id"].tolist() == [53]
    assert [(r.location, r.raw) for r in lines.rejected] == [("b.jsonl:2", "not json")]
    assert lines.rows_in == 2
    with pytest.raises(DataError, match="^files:nope: folder not found: "):
        JsonSource(connection="files", path="nope", partition_by="day").read(ctx)
