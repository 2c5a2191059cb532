"""The dashboard in a real browser: `riverkeeper dashboard` on a seeded store, Chromium.

Opens every page, checks its key content, uses widgets (pipeline choice, a
lineage move), watches a page refresh itself after a new run lands in the
store, and saves a screenshot of each page to tests/artifacts/dashboard/.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dashboard.queries import RUNS
from tests.integration.dashboard.conftest import SeededStore, make_store
from tests.support import require_binary, running_dashboard

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "tests" / "artifacts" / "dashboard"
READY = (
    '[data-testid="stApp"][data-test-script-state="notRunning"]'
    '[data-test-connection-state="CONNECTED"]'
)
REFRESH_SECONDS = 5


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededStore]:
    path = tmp_path_factory.mktemp("browser") / "store.db"
    seeded = make_store(f"sqlite:///{path}")
    yield seeded
    seeded.engine.dispose()


@pytest.fixture(scope="module")
def server(store: SeededStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`riverkeeper dashboard` on a free port, ready when /_stcore/health answers ok."""
    config = tmp_path_factory.mktemp("config")
    (config / "riverkeeper.yaml").write_text(f"project: browser\nstore:\n  url: {store.url}\n")
    env = {**os.environ, "RIVERKEEPER_DASHBOARD_REFRESH": str(REFRESH_SECONDS)}
    env.pop("RIVERKEEPER_DASHBOARD_PASSWORD", None)
    with running_dashboard(config, env) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    chromium = require_binary("chromium")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # a loaded 2-core CI machine is slow to rerun

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=chromium, args=["--disable-gpu", "--disable-quic"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 2000})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    context.close()


def open_page(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.wait_for_selector(READY)


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)  # let charts finish their transitions
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_every_page_in_the_browser(page, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    open_page(page, server)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_text("Overall health: critical")).to_be_visible()
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    shot(page, "overview")
    # a click on the first row (daily_sales_summary, problems first) opens its pipeline page
    table.click(position={"x": 12, "y": 35 + 17})  # the row marker under the header
    expect(page.get_by_role("heading", name="Pipeline", exact=True)).to_be_visible()
    expect(page.get_by_role("combobox", name="Pipeline")).to_have_value("daily_sales_summary")
    expect(page).to_have_url(re.compile(r"/pipeline\?pipeline=daily_sales_summary$"))
    page.wait_for_selector(READY)

    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="payments_ingest").click()
    expect(page.get_by_text("Run error: ValueError")).to_be_visible()
    page.wait_for_selector(READY)
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    shot(page, "pipeline")

    page.get_by_role("link", name="Data quality").click()
    expect(page.get_by_role("heading", name="Data quality")).to_be_visible()
    expect(page.get_by_text("missing_count_order_id: fail")).to_be_visible()
    expect(page.get_by_text("Failing rows (3 sampled)")).to_be_visible()
    page.wait_for_selector(READY)
    shot(page, "quality")

    page.get_by_role("link", name="Lineage of wh.payments").click()  # from the quality page
    expect(page.get_by_role("heading", name="Lineage")).to_be_visible()
    nodes = page.locator('[data-testid="stGraphVizChart"] svg g.node')
    expect(nodes).to_have_count(3)  # api.payments -> payments_ingest.load -> wh.payments
    expect(nodes.filter(has_text="wh.payments")).to_have_count(1)
    open_page(page, f"{server}/lineage?dataset=wh.orders")
    expect(nodes).to_have_count(5)  # raw.orders, wh.orders, summary and two jobs
    page.get_by_role("button", name="wh.daily_sales_summary").click()
    expect(nodes).to_have_count(8)  # 5 datasets (customers now too) and 3 jobs
    page.wait_for_selector(READY)
    shot(page, "lineage")

    page.get_by_role("link", name="Alerts", exact=True).click()
    expect(page.get_by_role("heading", name="Firing now")).to_be_visible()
    page.wait_for_selector(READY)
    shot(page, "alerts")

    page.get_by_role("link", name="Dead letters").click()
    expect(page.get_by_role("heading", name="Dead letters")).to_be_visible()
    expect(page.get_by_text("dead letters", exact=False).first).to_be_visible()
    page.wait_for_selector(READY)
    shot(page, "dead_letters")


def test_overview_refreshes_itself(page, server: str, store: SeededStore) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    open_page(page, server)
    metric = page.get_by_test_id("stMetric").filter(has_text="Last run failed")
    expect(metric.get_by_test_id("stMetricValue")).to_have_text("1")
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        conn.execute(
            RUNS.insert().values(
                id=str(uuid.uuid4()),
                pipeline="orders_etl",
                logical_date=now - timedelta(hours=1),
                interval_start=now - timedelta(hours=1),
                interval_end=now,
                state="failed",
                trigger="manual",
                created_at=now,
                started_at=now,
                ended_at=now + timedelta(seconds=1),
                error="boom",
            )
        )
    # no reload: the fragment reruns every REFRESH_SECONDS and the cache expires as often
    expect(metric.get_by_test_id("stMetricValue")).to_have_text("2", timeout=30_000)
