"""Delivery to a Marquez-like HTTP backend: down, then up, then a restart."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from monitor.lineage.events import LineageSettings
from monitor.lineage.naming import table_dataset
from monitor.lineage.outbox import backlog, lineage_listener, stored_events
from monitor.lineage.sender import OutboxSender, start_sender
from monitor.lineage.tables import outbox
from monitor.lineage.transport import transport_from_dict
from monitor.pipeline.events import Column, TaskReport, TaskState
from monitor.store.db import create_store_engine, migrate
from tests.integration.lineage.lineage_marquez import FakeMarquez, http_transport_config
from tests.integration.lineage.lineage_runs import emit_run
from tests.support import free_port, wait_until
from tests.unit.lineage.lineage_samples import T0, task_info


@pytest.fixture
def store(store_url: str) -> Iterator[sa.Engine]:
    engine = create_store_engine(store_url)
    migrate(engine)
    yield engine
    engine.dispose()


def attempts(store: sa.Engine) -> int:
    with store.connect() as conn:
        return int(conn.execute(sa.select(sa.func.sum(outbox.c.attempts))).scalar() or 0)


def assert_delivered_once_in_order(store: sa.Engine, received: list[dict]) -> None:  # type: ignore[type-arg]
    stored = stored_events(store)
    assert received == stored  # exactly once each, in outbox order
    for run_id in {e["run"]["runId"] for e in stored}:
        types = [e["eventType"] for e in received if e["run"]["runId"] == run_id]
        assert types[0] == "START" and types[-1] in ("COMPLETE", "FAIL", "ABORT"), types


def test_backend_down_then_up_delivers_every_event_once_in_order(store: sa.Engine, caplog):
    caplog.set_level(logging.WARNING, logger="monitor.lineage.sender")
    port = free_port()
    transport = transport_from_dict(http_transport_config(f"http://127.0.0.1:{port}"))
    sender = start_sender(store, transport, backoff_initial=0.05, backoff_max=0.2)
    listener = lineage_listener(store, notify=sender.wake)
    try:
        started = time.perf_counter()
        for n in range(3):  # the pipeline runs on while nothing listens on the port
            emit_run(listener, n)
        assert time.perf_counter() - started < 2.0
        wait_until(lambda: attempts(store) >= 3, what="failed delivery attempts")
        assert backlog(store).pending == 18
        with FakeMarquez(port) as marquez:
            marquez.fail_next = 3  # up, but answering 503 for a while
            for n in range(3, 5):
                emit_run(listener, n)
            wait_until(lambda: backlog(store).pending == 0, what="the outbox to drain")
            assert marquez.requests == 30 + 3
            assert_delivered_once_in_order(store, marquez.events)
    finally:
        sender.stop()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2, warnings  # one when it starts failing, one when it recovers
    assert warnings[0].startswith("lineage: delivery failed (ConnectionError: ")
    assert "Connection refused" in warnings[0] and "); retrying in " in warnings[0]
    assert warnings[1].startswith("lineage: delivery works again; ")
    assert "503" in (sender.last_error or "") or "ConnectionError" in (sender.last_error or "")


def test_a_restarted_sender_resumes_from_the_outbox(store: sa.Engine):
    port = free_port()
    dead = transport_from_dict(http_transport_config(f"http://127.0.0.1:{port}"))
    first = start_sender(store, dead, backoff_initial=0.05, backoff_max=0.1)
    emit_run(lineage_listener(store, notify=first.wake), 7)
    wait_until(lambda: attempts(store) >= 1, what="a failed attempt")
    first.stop()  # the monitor goes down with 6 events undelivered
    assert backlog(store).pending == 6
    with FakeMarquez(port) as marquez:
        second = OutboxSender(store, transport_from_dict(http_transport_config(marquez.url)))
        result = second.drain(timeout=5)
        assert (result.delivered, result.pending) == (6, 0)
        assert result.message() == "lineage: 6 events delivered"
        assert_delivered_once_in_order(store, marquez.events)


def test_a_connection_url_with_a_password_produces_events_without_it(store, tmp_path):
    secret_url = "postgresql+psycopg://riverkeeper:pw-Zq81x@db.example:5432/shop"
    orders = table_dataset(secret_url, "orders", columns=[Column("order_id", "BIGINT")])
    assert (orders.namespace, orders.name) == ("postgres://db.example:5432", "shop.public.orders")
    listener = lineage_listener(store, LineageSettings(secrets=("tok-5f3a9c",)))
    task = task_info("extract_orders")
    listener.task_started(task, T0)
    listener.task_finished(
        task,
        TaskReport(
            state=TaskState.FAILED,
            started_at=T0,
            ended_at=T0 + timedelta(seconds=1),
            inputs=(orders,),
            sql="SELECT * FROM orders -- fetched with api token tok-5f3a9c",
            error=f"connection 'production' ({secret_url}) failed: timeout",
            stack_trace=f'  File "x.py", line 1\nOperationalError: {secret_url}',
        ),
    )
    out = tmp_path / "sent.jsonl"
    OutboxSender(
        store, transport_from_dict({"type": "file", "log_file_path": str(out), "append": True})
    ).send_pending()
    with store.connect() as conn:
        stored = "\n".join(conn.execute(sa.select(outbox.c.payload)).scalars())
    for text in (stored, out.read_text()):
        assert "pw-Zq81x" not in text and "tok-5f3a9c" not in text
        assert "riverkeeper:***@db.example:5432/shop" in text
        assert "postgres://db.example:5432" in text
