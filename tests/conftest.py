"""Fixtures shared by every tier. Engines are real: SQLite, DuckDB and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support import fresh_pg_database

pytest_plugins = ["tests.lineage_plugin"]

os.environ.setdefault("PROMETHEUS_DISABLE_CREATED_SERIES", "True")
# Tests never read the developer's own OpenLineage or Riverkeeper settings.
for _var in list(os.environ):
    if _var.startswith(("OPENLINEAGE", "RIVERKEEPER_STORE_URL", "RIVERKEEPER_CONFIG")):
        del os.environ[_var]

ENGINE_KINDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("duckdb", id="duckdb"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]
STORE_KINDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a new, empty PostgreSQL database (dropped after the test)."""
    with fresh_pg_database() as url:
        yield url


def _engine_url(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
    elif kind == "duckdb":
        yield f"duckdb:///{tmp_path / 'test.duckdb'}"
    else:
        with fresh_pg_database() as url:
            yield url


@pytest.fixture(params=ENGINE_KINDS)
def engine_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL, once per engine: sqlite, duckdb, postgres."""
    yield from _engine_url(request.param, tmp_path)


@pytest.fixture
def engine(engine_url: str) -> Iterator[sa.Engine]:
    """A SQLAlchemy engine per kind; checks for leaked connections at teardown."""
    eng = sa.create_engine(engine_url)
    yield eng
    if hasattr(eng.pool, "checkedout"):
        assert eng.pool.checkedout() == 0, "a test leaked a database connection"
    eng.dispose()


@pytest.fixture(params=STORE_KINDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store URL, once per supported store: sqlite, postgres."""
    yield from _engine_url(request.param, tmp_path)
