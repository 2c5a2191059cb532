"""SQL model templates, hive partition folders, schema drift families, the demo generator."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from monitor.connectors import drift
from monitor.connectors.partitions import folder, folders_between
from monitor.demo.generate import generate
from monitor.errors import SchemaDriftError
from monitor.transforms.templating import parse_model, render

MODEL = """{{ config(materialized='table') }}
SELECT o.id FROM {{ ref('stg_orders') }} o
JOIN {{ ref("stg_customers") }} c ON o.c = c.c
JOIN {{ source('warehouse', 'raw_orders') }} r ON r.id = o.id;
"""


def test_refs_sources_and_config_are_found_and_rendered() -> None:
    refs = parse_model(MODEL)
    assert refs.refs == ("stg_orders", "stg_customers")
    assert refs.sources == (("warehouse", "raw_orders"),)
    assert refs.config == {"materialized": "table"}
    sql = render(MODEL, lambda r: f'"{r}"', lambda c, t: f'"{c}_{t}"')
    assert sql == (
        'SELECT o.id FROM "stg_orders" o\nJOIN "stg_customers" c ON o.c = c.c\n'
        'JOIN "warehouse_raw_orders" r ON r.id = o.id'
    )


def test_unknown_template_is_an_error() -> None:
    with pytest.raises(
        ValueError,
        match=r"^unsupported template \{\{ var\('x'\) \}\}: use \{\{ ref\('model'\) \}\}",
    ):
        render("SELECT {{ var('x') }}", str, lambda c, t: t)


def test_partition_folders_of_an_interval() -> None:
    start, end = datetime(2024, 3, 5, 22, tzinfo=UTC), datetime(2024, 3, 6, 1, tzinfo=UTC)
    hours = [str(folder(v)) for v in folders_between(start, end, "hour")]
    assert hours == [
        "year=2024/month=03/day=05/hour=22",
        "year=2024/month=03/day=05/hour=23",
        "year=2024/month=03/day=06/hour=00",
    ]
    assert [str(folder(v)) for v in folders_between(start, end, "day")] == [
        "year=2024/month=03/day=05",
        "year=2024/month=03/day=06",
    ]


def test_drift_families_and_messages() -> None:
    existing = {"id": sa.INTEGER(), "total": sa.Float(), "name": sa.VARCHAR()}
    frame = pd.DataFrame({"id": [1.0, None], "total": [1, 2], "name": ["a", "b"], "new": [1, 2]})
    found = drift.compare(frame, existing)
    assert list(found.new_columns) == ["new"]
    assert found.changed == {"total": ("float", "integer")}  # id: integral floats are fine
    evolved = drift.resolve(frame, found, table="wh.t", policy="evolve")
    assert str(evolved["total"].dtype) == "Float64"
    with pytest.raises(SchemaDriftError, match="^wh.t: new column 'new' is not in the table"):
        drift.resolve(frame, found, table="wh.t", policy="fail")


def test_generator_is_deterministic_and_covers_now() -> None:
    now = datetime(2024, 3, 5, 13, 20, tzinfo=UTC)
    first, again = generate(now, seed=7, days=2), generate(now, seed=7, days=2)
    pd.testing.assert_frame_equal(first.orders, again.orders)
    assert first.customers == again.customers and first.products_csv == again.products_csv
    orders = first.orders
    assert orders["order_time"].max() < datetime(2024, 3, 5, 13)
    assert (orders["order_time"] >= datetime(2024, 3, 5, 12)).any()  # the latest complete hour
    assert (orders["order_date"] == datetime(2024, 3, 4).date()).sum() > 20  # the latest day
    assert orders["created_at"].max() <= datetime(2024, 3, 5, 13, 20)
    # planted defects
    assert orders["customer_id"].isna().any() and orders["total"].isna().any()
    assert (orders["total"] < 0).any() and orders["order_id"].duplicated().any()
    shipped = orders.dropna(subset=["shipped_date"])
    assert (shipped["shipped_date"] < shipped["order_date"]).any()
    assert ((orders["created_at"] - orders["order_time"]) > pd.Timedelta(hours=1)).any()
    assert any("@" not in c["email"] or c["email"].endswith("@") for c in first.customers)
    # a later generation keeps the rows of the hours both cover
    later = generate(datetime(2024, 3, 5, 18, tzinfo=UTC), seed=7, days=2).orders
    same = later[
        (later["created_at"] <= now.replace(tzinfo=None))
        & (later["order_time"] < datetime(2024, 3, 5, 13))
    ]
    pd.testing.assert_frame_equal(same.reset_index(drop=True), orders.reset_index(drop=True))
