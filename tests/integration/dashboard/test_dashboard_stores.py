"""Every page renders on each supported store (SQLite and PostgreSQL), same numbers."""

from __future__ import annotations

import pytest

from tests.integration.dashboard.conftest import make_store, open_app

PAGES = ["pipeline", "quality", "lineage", "alerts", "dead_letters"]


def test_every_page_renders_on_the_store(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store(store_url)
    try:
        at = open_app(store.url, monkeypatch)
        values = {m.label: m.value for m in at.metric}
        assert values == {
            "Pipelines": "5",
            "Last run failed": "1",
            "Stale": "1",
            "Failing checks": "2",
            "Firing alerts": "2",
        }
        for page in PAGES:
            at.switch_page(f"pages/{page}.py").run()
            assert not at.exception, (page, [e.message for e in at.exception])
            assert (
                at.title[0].value
                in {
                    "pipeline": "Pipeline",
                    "quality": "Data quality",
                    "lineage": "Lineage",
                    "alerts": "Alerts",
                    "dead_letters": "Dead letters",
                }[page]
            )
            assert at.dataframe, page
        assert at.dataframe[0].value["pipeline"].nunique() == 5  # dead letters of every pipeline
    finally:
        store.engine.dispose()
