"""A malformed CSV through the runner: good rows load, every bad one is kept with its
reason, rows in = loaded + rejected + filtered, and the load carries column lineage."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from monitor.pipeline.runner import Runner
from monitor.service import open_project, open_store
from monitor.transforms import FRAME_KEY

CSV = """product_id,name,price
1,Lamp,12.5
2,Desk,120
3,Chair,abc
4,Pen,1.2,extra
5,Cup
6,Mug,-3
7,Lamp,12.5
"""
PIPELINE = """
tasks:
  extract:
    type: extract
    source: {type: csv, connection: files, path: products.csv, columns: {product_id: int, price: float}}
  clean:
    type: transform
    input: extract
    operations:
      - {op: filter, where: "price > 0"}
      - {op: derive, columns: {price_cents: "price * 100"}}
  load:
    type: load
    input: clean
    target: {type: sql, connection: wh, table: products, mode: merge, key: [product_id]}
"""


def test_malformed_csv_reconciles_and_lineage_reaches_the_table(
    tmp_path: Path, engine_url: str
) -> None:
    config = tmp_path / "config"
    (config / "pipelines").mkdir(parents=True)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "products.csv").write_text(CSV)
    (config / "riverkeeper.yaml").write_text(
        f"store: {{url: 'sqlite:///{tmp_path / 'store.db'}'}}\n"
        f"defaults: {{workspace: '{tmp_path / 'ws'}'}}\n"
        "connections:\n"
        f"  files: {{type: files, root: '{tmp_path / 'data'}'}}\n"
        f"  wh: {{type: sql, url: '{engine_url}'}}\n"
    )
    (config / "pipelines" / "products.yaml").write_text(PIPELINE)
    project = open_project(config, env={})
    store = open_store(project)
    try:
        runner = Runner(project, store)
        for _ in range(2):  # a rerun leaves the same rows
            result = runner.run("products", logical_date=datetime(2024, 3, 5, tzinfo=UTC))
            assert result.ok, result.error
        view = store.get_run(result.run_id)
    finally:
        store.close()
    assert view is not None
    tasks = {t.task: t for t in view.tasks}
    extract, clean, load = tasks["extract"], tasks["clean"], tasks["load"]
    assert (extract.rows_in, extract.rows_out, extract.rows_rejected) == (7, 4, 3)
    assert (clean.rows_in, clean.rows_out, clean.rows_filtered) == (4, 3, 1)
    assert load.rows_out == 3
    # rows in = rows loaded + rows rejected + rows filtered on purpose
    assert extract.rows_in == load.rows_out + extract.rows_rejected + clean.rows_filtered
    engine = sa.create_engine(engine_url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM products")).scalar_one() == 3
    engine.dispose()
    out = result.outputs
    lineage = out["load"].column_lineage[out["load"].outputs[0].key]
    (origin,) = lineage["price_cents"]
    assert (origin.dataset.table, origin.column, origin.transformation) == (
        "products.csv",
        "price",
        "TRANSFORMATION",
    )
    assert FRAME_KEY in out["clean"].column_lineage
    assert [(r.location, r.reason) for r in out["extract"].rejected] == [
        ("products.csv:5", "expected 3 fields, found 4"),
        ("products.csv:6", "expected 3 fields, found 2"),
        ("products.csv:record 3", "column 'price': 'abc' is not a valid float"),
    ]
