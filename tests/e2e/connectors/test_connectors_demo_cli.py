"""`riverkeeper demo` as a user runs it: data written where the config points, the API
served in the foreground (`--serve-api`) or in the background, and stopped again."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support import free_port, wait_until

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[3]
RIVERKEEPER = str(Path(sys.executable).with_name("riverkeeper"))


def _env(port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIVERKEEPER_")}
    env["RIVERKEEPER_DEMO_API_URL"] = f"http://127.0.0.1:{port}"
    return env


def _cli(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RIVERKEEPER, *args], check=False, cwd=cwd, env=env, capture_output=True, text=True
    )


def test_demo_writes_data_and_serves_the_api(tmp_path: Path) -> None:
    shutil.copytree(REPO / "config", tmp_path / "config")
    port = free_port()
    env = _env(port)
    done = _cli(tmp_path, env, "demo", "--no-api", "--now", "2024-03-05T13:20:00Z", "--json")
    assert done.returncode == 0, done.stderr
    written = json.loads(done.stdout)
    assert written["orders"] > 100 and written["partitions"] == 3 * 24 + 13
    files = tmp_path / ".riverkeeper" / "demo" / "files"
    assert (files / "products.csv").is_file()
    assert (files / "clickstream/year=2024/month=03/day=05/hour=12/events.parquet").is_file()
    assert (tmp_path / ".riverkeeper" / "demo" / "production.db").is_file()
    assert _cli(tmp_path, env, "demo", "--stop-api").stdout.strip() == "no demo API was running"

    server = subprocess.Popen(
        [RIVERKEEPER, "demo", "--serve-api", "--now", "2024-03-05T13:20:00Z"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/customers"

        def answers() -> bool:
            try:
                return httpx.get(url.replace("customers", "health"), timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(answers, timeout=30, what="the demo API")
        page = httpx.get(
            url, headers={"Authorization": "Bearer demo-token"}, params={"per_page": 5}
        )
        assert page.status_code == 200 and len(page.json()["data"]) == 5
        assert httpx.get(url).status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_demo_live_keeps_adding_hours(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    shutil.copytree(REPO / "config", tmp_path / "config")
    env = _env(free_port())
    earlier = (datetime.now(UTC) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        done = _cli(tmp_path, env, "demo", "--now", earlier, "--days", "1", "--live", "0.5")
        assert done.returncode == 0, done.stderr
        assert "new data every 0.5s" in done.stdout
        clicks = tmp_path / ".riverkeeper" / "demo" / "files" / "clickstream"
        before = len(list(clicks.rglob("*.parquet")))
        wait_until(
            lambda: len(list(clicks.rglob("*.parquet"))) >= before + 2,
            timeout=60,
            what="live demo data for the hours since --now",
        )
    finally:
        _cli(tmp_path, env, "demo", "--stop-api")
