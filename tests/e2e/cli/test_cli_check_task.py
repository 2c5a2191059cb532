"""Check tasks inside a pipeline: in flight on a DataFrame and on a warehouse table."""

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

PIPELINE = """\
tasks:
  extract:
    type: extract
    source: {type: csv, connection: files, path: orders.csv, columns: {order_id: int, total: float}}
  check_in_flight:
    type: check
    input: extract
    key_columns: [order_id]
    checks:
      - {type: missing, column: total, warn: "> 0", fail: "> 50%"}
      - {type: duplicates, column: order_id, block: BLOCK}
  load:
    type: load
    input: extract
    depends_on: [check_in_flight]
    target: {type: sql, connection: wh, table: orders, mode: replace}
  check_loaded:
    type: check
    dataset: wh.orders
    depends_on: [load]
    checks:
      - {type: row_count, fail: "< 1"}
  report:
    type: check
    dataset: wh.orders
    depends_on: [check_loaded]
    trigger_rule: all_done
    checks:
      - {type: aggregate, column: total, function: sum, fail: "< 0"}
"""


def project(root: Path, block: bool) -> None:
    (root / "config" / "pipelines").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "config" / "riverkeeper.yaml").write_text(
        textwrap.dedent("""\
        connections:
          files: {type: files, root: data}
          wh: {type: sql, url: "sqlite:///wh.db"}
        """)
    )
    (root / "data" / "orders.csv").write_text("order_id,total\n1,10\n2,\n2,5\n3,7\n")
    (root / "config" / "pipelines" / "orders.yaml").write_text(
        PIPELINE.replace("BLOCK", "true" if block else "false")
    )


def run(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RIVERKEEPER_STORE_URL": f"sqlite:///{root / 'store.db'}"}
    return subprocess.run(
        [sys.executable, "-m", "monitor", "run", "orders", "--json"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def results(root: Path) -> dict[tuple[str, str], tuple[str, float]]:
    engine = sa.create_engine(f"sqlite:///{root / 'store.db'}")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select task, check_name, outcome, value from check_results"))
        found = {(r.task, r.check_name): (r.outcome, r.value) for r in rows}
    engine.dispose()
    return found


def test_blocking_failure_in_flight_fails_the_task_and_stops_the_load(tmp_path: Path) -> None:
    project(tmp_path, block=True)
    proc = run(tmp_path)
    assert proc.returncode == 1, proc.stderr
    (view,) = json.loads(proc.stdout)
    states = {t["task"]: t["state"] for t in view["tasks"]}
    assert (
        states
        == {
            "extract": "success",
            "check_in_flight": "failed",
            "load": "upstream_failed",
            "check_loaded": "upstream_failed",
            "report": "success",
        }
        or states["report"] == "failed"
    )  # all_done runs even after failures
    failed = {t["task"]: t for t in view["tasks"]}["check_in_flight"]
    assert failed["attempts"] == 1  # a failed check is never retried
    assert "duplicates(order_id)" in failed["error"]
    found = results(tmp_path)
    assert found[("check_in_flight", "missing(total)")] == ("warn", 1.0)
    assert found[("check_in_flight", "duplicates(order_id)")] == ("fail", 1.0)


def test_non_blocking_failure_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    project(tmp_path, block=False)
    proc = run(tmp_path)
    assert proc.returncode == 0, proc.stderr
    (view,) = json.loads(proc.stdout)
    assert {t["state"] for t in view["tasks"]} == {"success"}
    found = results(tmp_path)
    assert found[("check_in_flight", "duplicates(order_id)")] == ("fail", 1.0)
    assert found[("check_loaded", "row_count")] == ("pass", 4.0)
    assert found[("report", "sum(total)")] == ("pass", 22.0)
