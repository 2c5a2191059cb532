"""The dashboard's trickier queries agree with a plain computation, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from dashboard import queries
from dashboard.queries import CHECKS
from monitor.store.db import create_store_engine, migrate
from tests.integration.dashboard.conftest import make_store


def test_check_keys_and_latest_checks_match_a_full_scan(store_url: str) -> None:
    store = make_store(store_url)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(CHECKS.c.id, CHECKS.c.dataset, CHECKS.c.check_name, CHECKS.c.executed_at)
            ).all()
            keys = {(r.dataset, r.check_name) for r in rows}
            assert sorted(conn.execute(queries.check_keys()).all()) == sorted(keys)
            some = sorted(k for k in keys if k[0] == "wh.orders")
            assert some and sorted(conn.execute(queries.check_keys("wh.orders")).all()) == some
            assert conn.execute(queries.check_keys("no.such")).all() == []
            newest: dict[tuple[str, str], tuple[object, int]] = {}
            for r in rows:
                key = (r.dataset, r.check_name)
                newest[key] = max(newest.get(key, (r.executed_at, r.id)), (r.executed_at, r.id))
            latest = queries.latest_checks(conn)
            assert sorted(latest["id"]) == sorted(i for _, i in newest.values())
            one = queries.latest_checks(conn, "wh.orders")
            assert sorted(one["check_name"]) == [c for _, c in some]
    finally:
        store.engine.dispose()


def test_queries_on_an_empty_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_store_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(queries.check_keys()).all() == []
        assert queries.latest_checks(conn).empty
        assert queries.latest_runs(conn).empty
        assert queries.dead_letter_reasons(conn).empty
        assert list(queries.alert_states(conn).columns)[:2] == ["rule", "state"]
    engine.dispose()
