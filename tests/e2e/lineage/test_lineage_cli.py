"""`riverkeeper lineage` end to end: a real store, the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.lineage.outbox import lineage_listener
from monitor.store.db import create_store_engine, migrate
from tests.integration.lineage.lineage_project import Project, emit_project_run

pytestmark = pytest.mark.e2e


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "riverkeeper.yaml").write_text("project: lineage-e2e\n")
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    emit_project_run(lineage_listener(engine), Project(tmp_path))
    engine.dispose()
    return tmp_path


def cli(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "RIVERKEEPER_STORE_URL": f"sqlite:///{root / 'store.db'}",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(root / "config"), "lineage", *args],
        check=False,
        cwd=root,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_upstream_of_the_summary_walks_back_to_the_sources(root: Path):
    done = cli(root, "warehouse.daily_sales_summary", "--upstream")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("warehouse.daily_sales_summary  quality fail  last write complete")
    assert lines[2] == "upstream (6):"
    assert lines[3].startswith("  warehouse.fct_orders  quality unknown")
    assert lines[3].endswith("<- elt.fct_orders")  # the job that wrote it
    assert any(x.startswith("        production.orders  ") for x in lines)
    assert "checks not passing:" in lines
    assert "  warehouse.daily_sales_summary: revenue_not_negative fail" in lines
    assert lines[-1] == "lineage outbox: 12 events waiting (oldest" + lines[-1].split("(oldest")[1]


def test_column_lineage_as_json(root: Path):
    done = cli(root, "daily_sales_summary", "--upstream", "--column", "total_revenue", "--json")
    assert done.returncode == 0, done.stderr
    graph = json.loads(done.stdout)
    assert graph["column"] == "total_revenue"
    hops = {(e["source_column"], e["target_column"], e["subtype"]) for e in graph["column_edges"]}
    assert ("total", "total_revenue", "AGGREGATION") in hops
    assert min(d["distance"] for d in graph["datasets"]) == -4


def test_downstream_from_orders(root: Path):
    done = cli(root, "production.orders", "--downstream", "--depth", "2")
    assert done.returncode == 0, done.stderr
    assert "downstream (2):" in done.stdout
    assert "    warehouse.stg_orders" in done.stdout
    assert "fct_orders" not in done.stdout


def test_usage_errors_exit_2_with_the_reason(root: Path):
    done = cli(root, "nope")
    assert done.returncode == 2
    assert done.stderr.startswith("error: no dataset 'nope' in the lineage store; known: ")
    done = cli(root, "orders", "--upstream", "--downstream")
    assert (done.returncode, done.stderr.strip()) == (
        2,
        "error: use --upstream or --downstream, not both (neither shows both)",
    )


def test_deliver_through_the_file_transport_from_env(root: Path):
    out = root / "ol-events.jsonl"
    env = {
        "OPENLINEAGE__TRANSPORT__TYPE": "file",
        "OPENLINEAGE__TRANSPORT__LOG_FILE_PATH": str(out),
        "OPENLINEAGE__TRANSPORT__APPEND": "true",
    }
    done = cli(root, "--deliver", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"transport: file {out}",
        "lineage: 12 events delivered",
        "lineage outbox: all events delivered",
    ]
    assert len(out.read_text().splitlines()) == 12
    status = json.loads(cli(root, "--json").stdout)
    assert (status["pending"], status["rejected"]) == (0, 0)


def test_deliver_to_a_dead_backend_is_bounded_and_says_what_is_left(root: Path):
    from tests.support import free_port

    env = {"OPENLINEAGE_URL": f"http://127.0.0.1:{free_port()}"}
    done = cli(root, "--deliver", "--timeout", "1", env=env)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    # the HTTP transport's own retries (urllib3, ~9 s) outlast the 1 s budget
    assert lines[1] == (
        "lineage: 12 events not delivered (no answer from the transport within 1s); "
        "they stay in the outbox and are sent by `riverkeeper serve` or the next run"
    )
    assert lines[2].startswith("lineage outbox: 12 events waiting")
