"""A seeded store per test module, and AppTest runs of the dashboard against it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from dashboard.seed import Seeded, seed_store
from monitor.store.db import create_store_engine, migrate

APP = Path(__file__).resolve().parents[3] / "dashboard" / "app.py"


@dataclass
class SeededStore:
    url: str
    engine: sa.Engine
    seeded: Seeded
    now: datetime


def make_store(url: str) -> SeededStore:
    engine = create_store_engine(url)
    migrate(engine)
    now = datetime.now(UTC)
    return SeededStore(url, engine, seed_store(engine, now), now)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededStore]:
    path = tmp_path_factory.mktemp("dash") / "store.db"
    store = make_store(f"sqlite:///{path}")
    yield store
    store.engine.dispose()


def open_app(url: str, monkeypatch: pytest.MonkeyPatch, page: str | None = None) -> AppTest:
    """Run the app (and switch to `page`, e.g. "pipeline") on the store at `url`."""
    monkeypatch.setenv("RIVERKEEPER_STORE_URL", url)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at
