"""The outbox listener and the sender against a real store (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.lineage.outbox import backlog, lineage_listener, stored_events
from monitor.lineage.sender import OutboxSender
from monitor.lineage.tables import outbox
from monitor.lineage.transport import transport_from_config, transport_from_dict
from monitor.pipeline.events import TaskState
from monitor.store.db import create_store_engine, migrate
from tests.integration.lineage.lineage_marquez import FakeMarquez, http_transport_config
from tests.integration.lineage.lineage_runs import emit_run
from tests.lineage_plugin import validate_event
from tests.support import free_port
from tests.unit.lineage.lineage_samples import T0, extract_report, run_info, task_info


@pytest.fixture
def store(store_url: str) -> Iterator[sa.Engine]:
    engine = create_store_engine(store_url)
    migrate(engine)
    yield engine
    engine.dispose()


def kinds(events: list[dict]) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(e["eventType"], e["job"]["name"]) for e in events]


def test_listener_stores_a_start_and_a_terminal_event_per_run_in_order(store: sa.Engine):
    run_id = emit_run(lineage_listener(store))
    events = stored_events(store)
    assert kinds(events) == [
        ("START", "orders_daily"),
        ("START", "orders_daily.extract_orders"),
        ("COMPLETE", "orders_daily.extract_orders"),
        ("START", "orders_daily.summary"),
        ("COMPLETE", "orders_daily.summary"),
        ("COMPLETE", "orders_daily"),
    ]
    assert all(validate_event(e) == [] for e in events)
    assert [e["run"]["runId"] for e in stored_events(store, run_id)] == [run_id, run_id]
    assert backlog(store).pending == 6


def test_retried_task_gets_running_events_and_one_terminal(store: sa.Engine):
    listener = lineage_listener(store)
    task = task_info("extract_orders")
    listener.task_started(task, T0)
    listener.task_finished(task, extract_report(TaskState.RETRYING, error="refused"))
    listener.task_started(task, T0 + timedelta(seconds=5))
    listener.task_finished(task, extract_report())
    assert [e["eventType"] for e in stored_events(store)] == [
        "START",
        "RUNNING",
        "RUNNING",
        "COMPLETE",
    ]


def test_task_that_never_started_still_gets_a_start(store: sa.Engine):
    listener = lineage_listener(store)
    listener.task_finished(task_info("load"), extract_report(TaskState.UPSTREAM_FAILED))
    assert [e["eventType"] for e in stored_events(store)] == ["START", "ABORT"]


def test_listener_never_raises_when_the_store_fails(tmp_path: Path, caplog):
    engine = create_store_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # never migrated
    listener = lineage_listener(engine)
    with caplog.at_level(logging.ERROR, logger="monitor.lineage.outbox"):
        listener.run_started(run_info(), T0)
    assert "lineage: could not store the START of run 019abc00" in caplog.text
    engine.dispose()


def test_capture_dir_receives_each_stored_event(store, tmp_path, monkeypatch):
    monkeypatch.setenv("RIVERKEEPER_LINEAGE_CAPTURE_DIR", str(tmp_path))
    emit_run(lineage_listener(store))
    [capture] = tmp_path.glob("events-*.jsonl")
    lines = capture.read_text().splitlines()
    assert [json.loads(x) for x in lines] == stored_events(store)


def test_file_transport_from_openlineage_env_receives_events_in_order(store, tmp_path, monkeypatch):
    out = tmp_path / "lineage.jsonl"
    monkeypatch.setenv("OPENLINEAGE__TRANSPORT__TYPE", "file")
    monkeypatch.setenv("OPENLINEAGE__TRANSPORT__LOG_FILE_PATH", str(out))
    monkeypatch.setenv("OPENLINEAGE__TRANSPORT__APPEND", "true")
    emit_run(lineage_listener(store))
    sender = OutboxSender(store, transport_from_config())
    assert sender.send_pending() == 6
    sent = [json.loads(x) for x in out.read_text().splitlines()]
    assert sent == stored_events(store)
    assert backlog(store).pending == 0
    assert backlog(store).line() == "lineage outbox: all events delivered"
    assert sender.send_pending() == 0  # nothing is sent twice


def test_openlineage_yml_in_config_env_is_used(store, tmp_path, monkeypatch):
    out = tmp_path / "from-yaml.jsonl"
    config = tmp_path / "openlineage.yml"
    config.write_text(f"transport:\n  type: file\n  log_file_path: {out}\n  append: true\n")
    monkeypatch.setenv("OPENLINEAGE_CONFIG", str(config))
    emit_run(lineage_listener(store))
    OutboxSender(store, transport_from_config()).send_pending()
    assert len(out.read_text().splitlines()) == 6


def test_dead_backend_keeps_events_and_drain_says_what_is_left(store: sa.Engine):
    emit_run(lineage_listener(store))
    dead = transport_from_dict(http_transport_config(f"http://127.0.0.1:{free_port()}"))
    sender = OutboxSender(store, dead, backoff_initial=0.05, backoff_max=0.1)
    result = sender.drain(timeout=0.3)
    assert (result.delivered, result.pending, result.complete) == (0, 6, False)
    assert result.last_error is not None and "ConnectionError" in result.last_error
    assert result.message().startswith("lineage: 6 events not delivered (ConnectionError")
    assert "they stay in the outbox" in result.message()
    left = backlog(store)
    assert left.pending == 6 and left.last_error == result.last_error
    line = left.line(now=left.oldest + timedelta(seconds=42))  # type: ignore[operator]
    assert line.startswith("lineage outbox: 6 events waiting (oldest 42s); last error: ")
    with store.connect() as conn:
        attempts = conn.execute(sa.select(outbox.c.attempts).order_by(outbox.c.id)).scalars().all()
    assert attempts[0] >= 2 and set(attempts[1:]) == {0}  # the head blocks; order is kept


def test_event_refused_by_the_backend_is_set_aside_and_the_rest_go(store: sa.Engine):
    emit_run(lineage_listener(store))
    with FakeMarquez() as marquez:
        marquez.refuse_job = "orders_daily.summary"
        sender = OutboxSender(store, transport_from_dict(http_transport_config(marquez.url)))
        result = sender.drain(timeout=5)
    assert result.complete
    assert len(marquez.events) == 4
    left = backlog(store)
    assert (left.pending, left.rejected) == (0, 2)
    assert "400 Client Error" in (left.last_error or "")
    assert left.line().startswith("lineage outbox: 0 events waiting, 2 rejected by the backend")


def test_only_the_lease_holder_sends_until_the_lease_expires(store, tmp_path):
    emit_run(lineage_listener(store))
    now = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    files = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    a, b = (
        OutboxSender(
            store,
            transport_from_dict({"type": "file", "log_file_path": str(f), "append": True}),
            lease_seconds=30,
            clock=lambda: now,
        )
        for f in files
    )
    assert a._acquire()  # a takes the lease, then stops sending (as if it hung)
    assert b.send_pending() == 0 and not files[1].exists()
    b.clock = lambda: now + timedelta(seconds=31)  # the lease of `a` expired
    assert b.send_pending() == 6
    assert not files[0].exists() and len(files[1].read_text().splitlines()) == 6


def test_a_resumed_run_keeps_its_ids_and_gets_running_not_a_second_start(store: sa.Engine):
    from monitor.pipeline.events import RunState

    first = lineage_listener(store)  # the run fails in one process...
    run, task = run_info(), task_info("extract_orders")
    first.run_started(run, T0)
    first.task_started(task, T0)
    first.task_finished(task, extract_report(TaskState.FAILED, error="refused"))
    first.run_finished(run, RunState.FAILED, T0, "1 task failed")
    second = lineage_listener(store)  # ...and `run --resume` reruns it in another
    second.run_started(run, T0 + timedelta(hours=1))
    second.task_started(task, T0 + timedelta(hours=1))
    second.task_finished(task, extract_report())
    second.run_finished(run, RunState.SUCCESS, T0 + timedelta(hours=1), None)
    assert [e["eventType"] for e in stored_events(store, run.run_id)] == [
        "START",
        "FAIL",
        "RUNNING",
        "COMPLETE",
    ]
    assert [e["eventType"] for e in stored_events(store, task.task_run_id)] == [
        "START",
        "FAIL",
        "RUNNING",
        "COMPLETE",
    ]


def test_drain_returns_at_once_when_the_backend_is_already_failing(store: sa.Engine):
    import time

    emit_run(lineage_listener(store))
    dead = transport_from_dict(http_transport_config(f"http://127.0.0.1:{free_port()}"))
    sender = OutboxSender(store, dead)
    assert sender.send_pending() == 0  # the run's sender saw the backend fail
    started = time.monotonic()
    result = sender.drain(timeout=30)
    assert time.monotonic() - started < 2
    assert (result.delivered, result.pending) == (0, 6)
    assert result.last_error is not None and result.last_error.startswith("ConnectionError")


def test_no_openlineage_config_means_the_console_without_a_warning(caplog):
    caplog.set_level(logging.INFO)
    transport = transport_from_config()
    assert transport.kind == "console"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_an_idle_sender_does_not_write(store: sa.Engine, tmp_path):
    from monitor.lineage.tables import sender_lease

    sender = OutboxSender(
        store, transport_from_dict({"type": "file", "log_file_path": str(tmp_path / "x")})
    )
    assert sender.send_pending() == 0
    with store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sender_lease)).scalar() == 0
