"""The example project's checks find the defects the demo generator planted, with the
counts pandas computes independently from the generated data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from monitor.demo.database import write_orders
from monitor.demo.generate import generate

pytestmark = pytest.mark.e2e
CONFIG = Path(__file__).parents[3] / "config"


def expected_defects(orders: pd.DataFrame) -> dict[str, float]:
    late = pd.to_datetime(orders["created_at"]) - pd.to_datetime(orders["order_time"])
    shipped = pd.to_datetime(orders["shipped_date"])
    ordered = pd.to_datetime(orders["order_date"])
    return {
        "volume": len(orders),
        "missing(customer_id)": int(orders["customer_id"].isna().sum()),
        "missing(total)": int(orders["total"].isna().sum()),
        "duplicates(order_id)": int(orders["order_id"].duplicated().sum()),
        "non_negative_total": int((orders["total"] < 0).sum()),
        "shipped_before_ordered": int((shipped < ordered).sum()),
        "late_arriving": int((late > pd.Timedelta(hours=6)).sum()),
        "status_values": int(
            (~orders["status"].isin(["pending", "shipped", "delivered", "cancelled"])).sum()
        ),
    }


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_check_production_orders_finds_the_planted_defects(
    tmp_path: Path, kind: str, request: pytest.FixtureRequest
) -> None:
    now = datetime.now(UTC)
    data = generate(now, days=2)
    source = (
        request.getfixturevalue("pg_url")
        if kind == "postgres"
        else f"sqlite:///{tmp_path / 'production.db'}"
    )
    write_orders(source, data.orders)
    env = {
        **os.environ,
        "RIVERKEEPER_DEMO_SOURCE_URL": source,
        "RIVERKEEPER_STORE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "RIVERKEEPER_WAREHOUSE_URL": f"duckdb:///{tmp_path / 'wh.duckdb'}",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "monitor",
            "--config",
            str(CONFIG),
            "check",
            "production.orders",
            "--json",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    results = {r["check_name"]: r for r in json.loads(done.stdout)}
    expected = expected_defects(data.orders)
    assert all(v > 0 for v in expected.values()), expected  # the generator planted them all
    got = {name: results[name]["value"] for name in expected}
    assert got == expected
    for name in (
        "missing(total)",
        "duplicates(order_id)",
        "non_negative_total",
        "shipped_before_ordered",
    ):
        assert results[name]["outcome"] == "fail", results[name]
        assert 0 < len(results[name]["samples"]) <= 10
        assert "order_id" in results[name]["samples"][0]
    assert results["status_values"]["outcome"] == "warn"  # severity warn
    assert results["anomaly(volume)"]["outcome"] == "learning"
    assert results["schema"]["outcome"] == "pass"
