"""Wiring from the project config: namespace, secrets to scrub, listener + sender."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from monitor.config.project import ProjectFile
from monitor.lineage.outbox import stored_events
from monitor.lineage.transport import transport_from_dict
from monitor.lineage.wiring import lineage_settings, open_lineage
from monitor.pipeline.events import RunState
from monitor.store.db import create_store_engine, migrate
from tests.unit.lineage.lineage_samples import T0, run_info

SPEC = ProjectFile.model_validate(
    {
        "lineage": {"namespace": "shop"},
        "store": {"url": "postgresql+psycopg://rk:store-pw-1@db:5432/rk"},
        "connections": {
            "production": {"type": "sql", "url": "postgresql+psycopg://app:prod-pw-2@db/shop"},
            "api": {
                "type": "http",
                "base_url": "http://127.0.0.1:1",
                "headers": {"Authorization": "Bearer tok-3xyz"},
            },
            "files": {"type": "files", "root": "data"},
        },
    }
)


def test_settings_take_the_namespace_and_every_secret():
    settings = lineage_settings(SPEC, sa.make_url("sqlite:////x/store.db"))
    assert settings.namespace == "shop"
    assert set(settings.secrets) == {"store-pw-1", "prod-pw-2", "Bearer tok-3xyz", "tok-3xyz"}


def test_open_lineage_stores_scrubbed_events_and_close_delivers_them(tmp_path: Path):
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    out = tmp_path / "events.jsonl"
    transport = transport_from_dict({"type": "file", "log_file_path": str(out), "append": True})
    lineage = open_lineage(engine, SPEC, transport=transport)
    run = run_info()
    lineage.listener.run_started(run, T0)
    lineage.listener.run_finished(run, RunState.FAILED, T0, "token tok-3xyz was refused")
    result = lineage.close(drain_timeout=10)
    assert result.complete, result.message()
    sent = [json.loads(line) for line in out.read_text().splitlines()]
    assert sent == stored_events(engine)
    assert sent[0]["job"]["namespace"] == "shop"
    assert sent[1]["run"]["facets"]["errorMessage"]["message"] == "token *** was refused"
    engine.dispose()
