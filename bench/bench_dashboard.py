"""Render time of every dashboard page on a big store: 10k runs, 1M check results.

    .venv/bin/python bench/bench_dashboard.py                      # SQLite, AppTest
    .venv/bin/python bench/bench_dashboard.py --store-url postgresql+psycopg://...
    .venv/bin/python bench/bench_dashboard.py --browser            # also Chromium

Seeds the store once (dashboard.seed: bulk inserts, COPY on PostgreSQL; a
SQLite file is kept under .riverkeeper/bench/ and reused), then times each
page through streamlit's AppTest: "cold" with every cache cleared (all
queries run), "warm" within the cache TTL. `--browser` also starts
`riverkeeper dashboard` and times page load → rendered in Chromium.
Goal: every page under 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.seed import SeedSize, seed_store
from monitor.store.db import create_store_engine, migrate

PAGES = ["overview", "pipeline", "quality", "lineage", "alerts", "dead_letters"]
GOAL_S = 2.0
LINKS = {
    "overview": "Overview",
    "pipeline": "Pipeline",
    "quality": "Data quality",
    "lineage": "Lineage",
    "alerts": "Alerts",
    "dead_letters": "Dead letters",
}
TITLES = {link: link for link in LINKS.values()}
READY = (
    '[data-testid="stApp"][data-test-script-state="notRunning"]'
    '[data-test-connection-state="CONNECTED"]'
)


def create_pg_database(url: str) -> None:
    """Create the benchmark's PostgreSQL database when it does not exist yet."""
    import sqlalchemy as sa

    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).first()
        if not found:
            quoted = conn.dialect.identifier_preparer.quote(target.database or "")
            conn.execute(sa.text(f"CREATE DATABASE {quoted}"))
    admin.dispose()


def seed(url: str, runs: int, checks: int) -> None:
    if url.startswith("postgresql"):
        create_pg_database(url)
    engine = create_store_engine(url)
    migrate(engine)
    with engine.connect() as conn:
        have = conn.exec_driver_sql("SELECT count(*) FROM pipeline_runs").scalar_one()
    if have:
        print(f"store already seeded ({have} runs): {engine.url.render_as_string()}")
        return
    size = SeedSize(
        runs=runs,
        check_results=checks,
        dead_letters=20_000,
        alert_history=5_000,
        pipelines=20,
        datasets_per_pipeline=4,
        lineage_every_run=True,
    )
    started = time.perf_counter()
    out = seed_store(engine, datetime.now(UTC), size)
    took = time.perf_counter() - started
    print(f"seeded {out.runs} runs, {out.check_results} check results in {took:.0f} s")
    engine.dispose()


def time_apptest(url: str, repeat: int) -> dict[str, tuple[float, float]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["RIVERKEEPER_STORE_URL"] = url
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.run()  # imports and the first render
    results = {}
    for page in PAGES:
        cold, warm = [], []
        for _ in range(repeat):
            st.cache_data.clear()
            st.cache_resource.clear()
            t = time.perf_counter()
            at.switch_page(f"pages/{page}.py").run()
            cold.append(time.perf_counter() - t)
            assert not at.exception, [e.message for e in at.exception]
            t = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t)
        results[page] = (statistics.median(cold), statistics.median(warm))
    return results


def time_browser(url: str, repeat: int) -> dict[str, tuple[float, float]]:
    from playwright.sync_api import sync_playwright

    from tests.support import running_dashboard

    config = Path(tempfile.mkdtemp())
    (config / "riverkeeper.yaml").write_text(f"store:\n  url: {url}\n")
    results: dict[str, tuple[float, float]] = {}
    with running_dashboard(config) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base)
        page.wait_for_selector(READY, timeout=120_000)  # warm-up: imports, first queries
        for name in PAGES:
            loads, clicks = [], []
            for _ in range(repeat):
                t = time.perf_counter()
                page.goto(f"{base}/{'' if name == 'overview' else name}")
                page.wait_for_selector(READY, timeout=120_000)
                loads.append(time.perf_counter() - t)
                # in-app navigation: away, then back through the sidebar link
                other = "Alerts" if name != "alerts" else "Overview"
                page.get_by_role("link", name=other).click()
                page.get_by_role("heading", name=TITLES[other], exact=True).wait_for()
                page.wait_for_selector(READY, timeout=120_000)
                t = time.perf_counter()
                page.get_by_role("link", name=LINKS[name]).click()
                page.get_by_role("heading", name=TITLES[LINKS[name]], exact=True).wait_for()
                page.wait_for_selector(READY, timeout=120_000)
                clicks.append(time.perf_counter() - t)
            results[name] = (statistics.median(loads), statistics.median(clicks))
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = f"sqlite:///{ROOT / '.riverkeeper' / 'bench' / 'dashboard.db'}"
    parser.add_argument("--store-url", default=default)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--checks", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    if args.store_url.startswith("sqlite:///"):
        Path(args.store_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    seed(args.store_url, args.runs, args.checks)
    apptest = time_apptest(args.store_url, args.repeat)
    browser = time_browser(args.store_url, args.repeat) if args.browser else {}
    print(f"\n{args.runs:,} runs, {args.checks:,} check results, median of {args.repeat}")
    head = "| page | AppTest cold (s) | AppTest warm (s) |"
    head += " browser load (s) | browser sidebar click (s) |" if browser else ""
    print(head)
    print("|---|---:|---:|" + ("---:|---:|" if browser else ""))
    worst = 0.0
    for page, (cold, warm) in apptest.items():
        load, click = browser.get(page, (0.0, 0.0))
        extra = f" {load:.2f} | {click:.2f} |" if browser else ""
        print(f"| {page} | {cold:.2f} | {warm:.2f} |{extra}")
        worst = max(worst, cold, click)
    verdict = "meets" if worst < GOAL_S else "MISSES"
    print(f"\nslowest render (cold AppTest, sidebar click): {worst:.2f} s — {verdict} the goal")


if __name__ == "__main__":
    main()
