"""Checks on files of a files connection: a malformed CSV and a partitioned Parquet folder."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from monitor.errors import DataError
from monitor.quality import check_dataset, register
from monitor.service import open_project
from monitor.store.runs import Store

NOW = datetime(2024, 1, 10, tzinfo=UTC)


def _project(root: Path) -> Path:
    config = root / "config"
    (config / "checks").mkdir(parents=True)
    data = root / "data"
    (data / "clicks" / "day=1").mkdir(parents=True)
    (data / "clicks" / "day=2").mkdir(parents=True)
    (config / "riverkeeper.yaml").write_text(
        f"project: f\nconnections:\n  files: {{type: files, root: {data}}}\n"
    )
    (data / "products.csv").write_text(
        "product_id,name,price\n1,apple,1.5\n7b,lamp,2,extra\n3,plum\n4,fig,2.25\n"
    )
    pd.DataFrame({"event_id": [1, 2, 3], "customer_id": [10, None, 11]}).to_parquet(
        data / "clicks" / "day=1" / "a.parquet"
    )
    pd.DataFrame({"event_id": [4, 4], "customer_id": [None, None]}).to_parquet(
        data / "clicks" / "day=2" / "b.parquet"
    )
    (config / "checks" / "products.yaml").write_text(
        textwrap.dedent("""\
        dataset: files.products.csv
        key_columns: [product_id]
        checks:
          - {type: row_count}
          - {type: missing, column: price}
          - {type: validity, column: product_id, regex: "^[0-9]+$"}
          - {type: schema, forbidden_columns: [column3]}
        """)
    )
    (config / "checks" / "clicks.yaml").write_text(
        textwrap.dedent("""\
        dataset: files.clicks
        key_columns: [event_id]
        checks:
          - {type: missing, column: customer_id, fail: "> 50%"}
          - {type: duplicates, column: event_id}
          - {type: row_count, name: day_two, filter: "day = 2"}
        """)
    )
    (config / "checks" / "gone.yaml").write_text(
        "dataset: files.gone.csv\nchecks:\n  - {type: row_count}\n"
    )
    return config


def test_checks_on_csv_and_parquet_folder(tmp_path: Path) -> None:
    register()
    project = open_project(_project(tmp_path), env={})
    store = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        products = {r.name: r for r in check_dataset(project, "files.products.csv", store, NOW)}
        clicks = {r.name: r for r in check_dataset(project, "files.clicks", store, NOW)}
        with pytest.raises(DataError, match=r"files.gone.csv: .*gone.csv does not exist"):
            check_dataset(project, "files.gone.csv", store, NOW)
    finally:
        store.close()
    assert products["row_count"].value == 4
    assert (products["missing(price)"].value, products["missing(price)"].samples) == (
        1,
        [{"product_id": "3", "price": None}],
    )
    assert products["validity(product_id)"].samples == [{"product_id": "7b"}]
    assert products["schema"].outcome == "fail"  # the extra field of the malformed line
    assert "forbidden column column3 is present" in products["schema"].message
    assert (clicks["missing(customer_id)"].value, clicks["missing(customer_id)"].outcome) == (
        60.0,  # percent: its only threshold is a percent
        "fail",
    )
    assert clicks["duplicates(event_id)"].value == 1
    assert clicks["day_two"].value == 2  # hive partitions are columns
