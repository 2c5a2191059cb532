"""Cached reads for the pages: one engine per store URL, results cached with a short TTL.

Pages call `load("latest_runs")` or `load("runs", pipeline)`; the name is a
function of `dashboard.queries`. The TTL is the refresh interval, so an
auto-refresh always sees fresh rows and a burst of reruns hits the cache.
"""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa
import streamlit as st

from dashboard import queries
from dashboard.settings import Settings, from_env
from monitor.store.db import create_store_engine


def settings() -> Settings:
    return from_env(os.environ)


_TTL = settings().refresh_seconds if os.environ.get("RIVERKEEPER_STORE_URL") else 30.0


@st.cache_resource(show_spinner=False)
def engine(url: str) -> sa.Engine:
    return create_store_engine(url)


@st.cache_data(ttl=_TTL, show_spinner=False, max_entries=500)
def _load(url: str, name: str, args: tuple[Any, ...]) -> Any:
    fn = getattr(queries, name)
    with engine(url).connect() as conn:
        return fn(conn, *args)


def load(name: str, *args: Any) -> Any:
    """The result of `dashboard.queries.<name>(conn, *args)`, cached for the TTL."""
    return _load(settings().store_url, name, tuple(args))


@st.cache_resource(ttl=_TTL, show_spinner=False, max_entries=4)
def _lineage_store(url: str) -> Any:
    from monitor.lineage.graph import store_snapshot

    return store_snapshot(engine(url))


def lineage_store() -> Any:
    """The lineage graph's stored events folded into nodes and edges: the process-wide
    cache reads only events newer than its last read, and each TTL gets its own read-only copy."""
    return _lineage_store(settings().store_url)
