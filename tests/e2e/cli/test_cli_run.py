"""`riverkeeper run` and `runs --json` end to end, on a SQLite and a PostgreSQL store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.e2e


def make_project(root: Path) -> Path:
    config = root / "config"
    (config / "pipelines").mkdir(parents=True)
    (config / "transforms").mkdir()
    (root / "data").mkdir()
    (config / "riverkeeper.yaml").write_text(
        textwrap.dedent("""\
        project: t
        connections:
          files: {type: files, root: data}
          wh: {type: sql, url: "sqlite:///wh.db"}
        """)
    )
    (root / "data" / "products.csv").write_text(
        "product_id,name,price\n1,apple,1.5\n2,pear,abc\n3,plum\n4,fig,2.25\n5,kiwi,0.5\n"
    )
    (config / "transforms" / "shop.py").write_text(
        "def cheap(extract_products):\n    return extract_products[extract_products['price'] < 2]\n"
    )
    (config / "pipelines" / "products.yaml").write_text(
        textwrap.dedent("""\
        description: cheap products into the warehouse
        schedule: {cron: "0 2 * * *"}
        tasks:
          extract_products:
            type: extract
            source:
              type: csv
              connection: files
              path: products.csv
              columns: {product_id: int, price: float}
          cheap: {type: transform, function: "shop.cheap"}
          load:
            type: load
            input: cheap
            target: {type: sql, connection: wh, table: cheap_products, mode: replace}
        """).replace('"shop.cheap"', '"transforms.shop:cheap"')
    )
    return config


def cli(root: Path, *args: str, store_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RIVERKEEPER_STORE_URL": store_url}
    return subprocess.run(
        [sys.executable, "-m", "monitor", "--config", "config", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_run_then_runs_json_shows_tasks_and_counts(tmp_path: Path, store_url: str) -> None:
    make_project(tmp_path)
    first = cli(tmp_path, "run", "products", "--json", store_url=store_url)
    assert first.returncode == 0, first.stderr
    (run,) = json.loads(first.stdout)
    assert run["state"] == "success" and run["pipeline"] == "products"
    assert run["interval_end"] > run["interval_start"]
    tasks = {t["task"]: t for t in run["tasks"]}
    # 5 records: 1 line with a missing field and 1 bad price are rejected, 3 read;
    # 2 of them are cheap; in = out + rejected + filtered for the extract.
    assert (tasks["extract_products"]["rows_in"], tasks["extract_products"]["rows_out"]) == (5, 3)
    assert tasks["extract_products"]["rows_rejected"] == 2
    assert (tasks["cheap"]["rows_in"], tasks["cheap"]["rows_out"]) == (3, 2)
    assert (tasks["load"]["rows_in"], tasks["load"]["rows_out"]) == (2, 2)

    second = cli(tmp_path, "run", "products", store_url=store_url)
    assert second.returncode == 0, second.stderr
    assert "extract_products success" in second.stderr
    listing = cli(tmp_path, "runs", "--json", store_url=store_url)
    runs = json.loads(listing.stdout)
    assert [r["state"] for r in runs] == ["success", "success"]
    assert all(len(r["tasks"]) == 3 for r in runs)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'wh.db'}")
    with engine.connect() as conn:  # replace mode: a rerun leaves the same rows
        names = conn.execute(sa.text("select name from cheap_products order by name")).scalars()
        assert list(names) == ["apple", "kiwi"]
    engine.dispose()


def test_failed_run_exits_1_with_the_error(tmp_path: Path, store_url: str) -> None:
    make_project(tmp_path)
    (tmp_path / "data" / "products.csv").unlink()
    proc = cli(tmp_path, "run", "products", store_url=store_url)
    assert proc.returncode == 1
    assert "extract_products failed" in proc.stderr and "file not found" in proc.stderr
    assert "Traceback" not in proc.stderr
    runs = json.loads(cli(tmp_path, "runs", "--json", store_url=store_url).stdout)
    states = {t["task"]: t["state"] for t in runs[0]["tasks"]}
    assert states == {
        "extract_products": "failed",
        "cheap": "upstream_failed",
        "load": "upstream_failed",
    }


def test_unknown_pipeline_is_a_usage_error(tmp_path: Path, store_url: str) -> None:
    make_project(tmp_path)
    proc = cli(tmp_path, "run", "nope", store_url=store_url)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: unknown pipeline 'nope'; known: products"
