"""Column lineage from SQL: openlineage-sql plus the gap workarounds."""

from __future__ import annotations

import pytest

from monitor.lineage.naming import table_dataset
from monitor.lineage.sql import sql_column_lineage, sql_lineage
from monitor.lineage.sqltext import insert_columns, select_branches, split_statements
from monitor.pipeline.events import Column, ColumnOrigin, DatasetRef

WH = "duckdb:////data/warehouse.duckdb"
TABLES = {
    "raw_orders": ["order_id", "customer_id", "order_date", "total", "status"],
    "raw_customers": ["customer_id", "first_name", "last_name", "customer_segment"],
    "stg_orders": ["order_id", "customer_id", "order_date", "total"],
    "fct_orders": ["order_id", "customer_name", "order_date", "total"],
    "orders": ["order_id", "total"],
}


def resolve(name: str) -> DatasetRef | None:
    table = name.split(".")[-1]
    if table not in TABLES:
        return None
    return table_dataset(WH, table, columns=[Column(c, "VARCHAR") for c in TABLES[table]])


def ref(table: str) -> DatasetRef:
    found = resolve(table)
    assert found is not None
    return found


def origins(mapping, column):  # type: ignore[no-untyped-def]
    return [(o.dataset.name, o.column, o.transformation) for o in mapping[column]]


def test_bare_select_model_gets_the_target_and_classified_columns():
    sql = """
        SELECT o.order_id,
               c.first_name || ' ' || c.last_name AS customer_name,
               o.order_date AS day,
               SUM(o.total) AS revenue,
               count(*) AS n
        FROM raw_orders o LEFT JOIN raw_customers c ON o.customer_id = c.customer_id
        GROUP BY 1, 2, 3
    """
    lineage = sql_lineage(sql, "duckdb", resolve, target=ref("fct_orders"))
    assert [d.name for d in lineage.inputs] == ["raw_customers", "raw_orders"]
    assert [d.name for d in lineage.outputs] == ["fct_orders"]
    columns = lineage.columns[ref("fct_orders").key]
    assert origins(columns, "order_id") == [("raw_orders", "order_id", "IDENTITY")]
    assert origins(columns, "day") == [("raw_orders", "order_date", "IDENTITY")]
    assert origins(columns, "customer_name") == [
        ("raw_customers", "first_name", "TRANSFORMATION"),
        ("raw_customers", "last_name", "TRANSFORMATION"),
    ]
    assert origins(columns, "revenue") == [("raw_orders", "total", "AGGREGATION")]
    assert "n" not in columns  # count(*) reads no column


def test_insert_column_list_is_mapped_by_position_including_unaliased_expressions():
    sql = "INSERT INTO fct_orders (order_id, customer_name, total) SELECT order_id, upper(status), total * 2 FROM raw_orders"
    columns = sql_column_lineage(sql, "postgresql", resolve)
    assert origins(columns, "customer_name") == [("raw_orders", "status", "TRANSFORMATION")]
    assert origins(columns, "total") == [("raw_orders", "total", "TRANSFORMATION")]
    assert origins(columns, "order_id") == [("raw_orders", "order_id", "IDENTITY")]
    assert "_0" not in columns and "_1" not in columns


def test_select_star_gets_identity_lineage_from_the_known_columns():
    sql = "CREATE OR REPLACE TABLE fct_orders AS SELECT * FROM stg_orders"
    columns = sql_column_lineage(sql, "duckdb", resolve)
    assert sorted(columns) == sorted(TABLES["stg_orders"])
    assert columns["total"] == (ColumnOrigin(ref("stg_orders"), "total", "IDENTITY"),)


def test_cte_inputs_are_found_without_default_schema():
    sql = """
        CREATE TABLE fct_orders AS
        WITH paid AS (SELECT order_id, total FROM main.raw_orders WHERE status = 'paid')
        SELECT order_id, total AS total FROM paid
    """
    lineage = sql_lineage(sql, "duckdb", resolve)
    assert [d.name for d in lineage.inputs] == ["raw_orders"]
    assert origins(lineage.columns[ref("fct_orders").key], "total") == [
        ("raw_orders", "total", "IDENTITY")
    ]


def test_script_chains_through_a_temp_table_and_drops_it():
    sql = """
        CREATE TEMP TABLE tmp_paid AS SELECT order_id, total FROM raw_orders WHERE total > 0;
        INSERT INTO orders SELECT order_id, SUM(total) AS total FROM tmp_paid GROUP BY 1;
    """
    lineage = sql_lineage(sql, "postgresql", resolve)
    assert [d.name for d in lineage.inputs] == ["raw_orders"]
    assert [d.name for d in lineage.outputs] == ["orders"]
    columns = lineage.columns[ref("orders").key]
    assert origins(columns, "total") == [("raw_orders", "total", "AGGREGATION")]
    assert origins(columns, "order_id") == [("raw_orders", "order_id", "IDENTITY")]


def test_union_branches_map_onto_the_first_branch_names():
    sql = "CREATE TABLE orders AS SELECT order_id, total FROM raw_orders UNION ALL SELECT order_id, total FROM stg_orders"
    columns = sql_column_lineage(sql, "duckdb", resolve)
    assert {o.dataset.name for o in columns["total"]} == {"raw_orders", "stg_orders"}


def test_table_functions_and_unknown_tables_are_left_out_with_a_warning():
    sql = "CREATE TABLE orders AS SELECT o.order_id, x.total FROM read_parquet('f/*.parquet') o JOIN mystery x ON o.order_id = x.order_id"
    lineage = sql_lineage(sql, "duckdb", resolve)
    assert lineage.inputs == ()
    assert lineage.warnings == ("table 'mystery' is not a known dataset; left out of lineage",)
    assert [d.name for d in lineage.outputs] == ["orders"]


def test_unparseable_statement_is_reported_not_raised():
    lineage = sql_lineage("INSERT INTO x SELEC a FROM b", "postgresql", resolve)
    [warning] = lineage.warnings
    assert warning.startswith("statement 1: openlineage-sql could not parse it: ")
    assert lineage.columns == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", [("a", "a", "IDENTITY")]),
        ("t.a AS b", [("t.a", "b", "IDENTITY")]),
        ("CAST(x AS DOUBLE) AS y", [("CAST(x AS DOUBLE)", "y", "TRANSFORMATION")]),
        ("x + y", [("x + y", None, "TRANSFORMATION")]),
        ("sum(x) total", [("sum(x)", "total", "AGGREGATION")]),
        (
            "sum(x) OVER (PARTITION BY y) AS s",
            [("sum(x) OVER (PARTITION BY y)", "s", "TRANSFORMATION")],
        ),
        (
            "CASE WHEN a > 0 THEN b ELSE c END",
            [("CASE WHEN a > 0 THEN b ELSE c END", None, "TRANSFORMATION")],
        ),
        ("DISTINCT a, 'x, y' AS s", [("a", "a", "IDENTITY"), ("'x, y'", "s", "TRANSFORMATION")]),
        ("o.*", [("o.*", None, "STAR")]),
    ],
)
def test_select_items_are_read_from_the_text(text, expected):
    [items] = select_branches(f"SELECT {text} FROM t")
    assert [(i.expression, i.name, i.kind) for i in items] == expected


def test_sql_text_helpers():
    assert split_statements("a; 'x;y'; -- c;\n b;") == ["a", "'x;y'", "-- c;\n b"]
    assert insert_columns('INSERT INTO s.t ("A", b) SELECT 1, 2') == ["A", "b"]
    assert insert_columns("INSERT INTO t SELECT 1") is None
    nested = "SELECT a, (SELECT max(b) FROM u) AS m FROM t WHERE c IN (SELECT c FROM v)"
    assert [i.name for i in select_branches(nested)[0]] == ["a", "m"]


def test_http_dataset_keeps_no_credentials_and_a_plain_table_name():
    from monitor.lineage.naming import http_dataset

    ds = http_dataset(
        "https://user:secret@api.example:8443/v1?token=x", "/customers", connection="c"
    )
    assert (ds.namespace, ds.name, ds.table) == (
        "https://api.example:8443",
        "/customers",
        "customers",
    )
