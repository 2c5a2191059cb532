"""Built-in operations: results, accounting (in = out + rejected + filtered) and column lineage."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import TypeAdapter, ValidationError

from monitor.errors import DataError
from monitor.pipeline.events import ColumnOrigin, DatasetRef
from monitor.transforms.apply import apply_operations
from monitor.transforms.ops import Operation

ORDERS = DatasetRef("sqlite:///p.db", "orders", connection="production", table="orders")
CUSTOMERS = DatasetRef("http://api", "/customers", connection="customers_api")
OPS = TypeAdapter(list[Operation])


def _lineage(frame: pd.DataFrame, ds: DatasetRef) -> dict[str, tuple[ColumnOrigin, ...]]:
    return {c: (ColumnOrigin(ds, c),) for c in frame.columns}


def _orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": [1, 2, 2, 3, 4, 5],
            "customer_id": [10, 11, 11, None, 12, 10],
            "total": ["5.5", "7", "7", "3", "x", "-2"],
            "order_date": [
                "2024-03-04",
                "2024-03-05",
                "2024-03-05",
                "2024-03-05",
                "2024-03-05",
                "2024-03-06",
            ],
        }
    )


def test_clean_chain_reconciles_rows_and_keeps_lineage() -> None:
    frame = _orders()
    ops = OPS.validate_python(
        [
            {"op": "drop_nulls", "columns": ["customer_id"]},
            {"op": "deduplicate", "columns": ["order_id"]},
            {"op": "cast", "columns": {"total": "float", "order_date": "date"}},
            {"op": "filter", "where": "total > 0"},
            {
                "op": "derive",
                "columns": {
                    "year": {"date_part": "year", "of": "order_date"},
                    "dow": {"date_part": "day_of_week", "of": "order_date"},
                    "double_total": "total * 2",
                },
            },
        ]
    )
    out = apply_operations(frame, _lineage(frame, ORDERS), ops, {}, "p.clean")
    assert out.frame["order_id"].tolist() == [1, 2]
    assert out.frame["year"].tolist() == [2024, 2024]
    assert out.frame["dow"].tolist() == [0, 1]
    assert out.frame["double_total"].tolist() == [11.0, 14.0]
    assert [r.reason for r in out.rejected] == ["column 'total': 'x' is not a valid float"]
    # 6 in = 2 out + 1 rejected + 3 filtered (1 null, 1 duplicate, 1 negative total)
    assert out.filtered == 3 and len(frame) == len(out.frame) + len(out.rejected) + out.filtered
    assert out.lineage["order_id"] == (ColumnOrigin(ORDERS, "order_id"),)
    assert out.lineage["total"] == (ColumnOrigin(ORDERS, "total", "TRANSFORMATION"),)
    assert out.lineage["double_total"] == (ColumnOrigin(ORDERS, "total", "TRANSFORMATION"),)
    assert out.lineage["year"] == (ColumnOrigin(ORDERS, "order_date", "TRANSFORMATION"),)


def test_join_and_aggregate_lineage() -> None:
    orders = pd.DataFrame(
        {"order_id": [1, 2, 3], "customer_id": [10, 11, 10], "total": [5.0, 7.0, 1.0]}
    )
    customers = pd.DataFrame(
        {
            "customer_id": [10, 11],
            "first_name": ["Ada", "Ben"],
            "last_name": ["Li", "Ng"],
            "segment": ["A", "B"],
        }
    )
    others = {"customers": (customers, _lineage(customers, CUSTOMERS))}
    ops = OPS.validate_python(
        [
            {
                "op": "join",
                "with": "customers",
                "on": ["customer_id"],
                "columns": ["first_name", "last_name", "segment"],
            },
            {
                "op": "derive",
                "columns": {"name": {"concat": ["first_name", "last_name"], "sep": " "}},
            },
            {
                "op": "aggregate",
                "group_by": ["segment"],
                "aggregates": {
                    "orders": {"fn": "count", "column": "order_id"},
                    "revenue": {"fn": "sum", "column": "total"},
                    "customers": {"fn": "nunique", "column": "customer_id"},
                    "rows": {"fn": "count_rows"},
                },
            },
        ]
    )
    out = apply_operations(orders, _lineage(orders, ORDERS), ops, others, "p.t")
    assert out.frame.to_dict("list") == {
        "segment": ["A", "B"],
        "orders": [2, 1],
        "revenue": [6.0, 7.0],
        "customers": [1, 1],
        "rows": [2, 1],
    }
    assert out.lineage["segment"] == (ColumnOrigin(CUSTOMERS, "segment"),)
    assert out.lineage["revenue"] == (ColumnOrigin(ORDERS, "total", "AGGREGATION"),)


def test_errors_name_the_task_operation_and_column() -> None:
    frame = _orders()
    bad = OPS.validate_python([{"op": "drop_nulls", "columns": ["nope"]}])
    with pytest.raises(DataError) as caught:
        apply_operations(frame, {}, bad, {}, "daily_sales.clean")
    assert str(caught.value) == (
        "daily_sales.clean: operation 1 (drop_nulls): no column 'nope' "
        "(columns: order_id, customer_id, total, order_date)"
    )
    expr = OPS.validate_python([{"op": "filter", "where": "total >"}])
    with pytest.raises(DataError, match=r"operation 1 \(filter\): cannot evaluate 'total >'"):
        apply_operations(frame, {}, expr, {}, "p.t")
    join = OPS.validate_python([{"op": "join", "with": "ghost", "on": ["order_id"]}])
    with pytest.raises(
        DataError, match=r"operation 1 \(join\): no upstream task 'ghost' to join with"
    ):
        apply_operations(frame, {}, join, {}, "p.t")


def test_operation_config_errors() -> None:
    with pytest.raises(ValidationError, match="aggregate 'sum' needs 'column'"):
        OPS.validate_python([{"op": "aggregate", "aggregates": {"x": {"fn": "sum"}}}])
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        OPS.validate_python([{"op": "explode"}])
    with pytest.raises(ValidationError, match=r"a derived column is an expression \("):
        OPS.validate_python([{"op": "derive", "columns": {"y": {"datepart": "year"}}}])
