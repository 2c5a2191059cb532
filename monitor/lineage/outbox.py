"""The OpenLineage outbox: every event is stored before anything tries to send it.

`OutboxListener` is the runner's `RunListener` for lineage: it builds each event
(`EventBuilder`) and inserts it into `lineage_events` in the runner's thread (one
short insert, never a network call), then wakes the sender. A dead backend
therefore never slows or fails a pipeline; it only grows the outbox.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from openlineage.client.event_v2 import RunEvent

from monitor.lineage.events import EventBuilder, LineageSettings, serialize
from monitor.lineage.tables import PENDING, outbox
from monitor.pipeline.events import RunInfo, RunState, TaskInfo, TaskReport

log = logging.getLogger(__name__)
CAPTURE_ENV = "RIVERKEEPER_LINEAGE_CAPTURE_DIR"

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class OutboxWriter:
    """Stores serialized events; optionally copies each one to a JSONL capture file."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        secrets: tuple[str, ...] = (),
        capture_dir: Path | None = None,
        clock: Clock = _utcnow,
        notify: Callable[[], None] | None = None,
    ) -> None:
        self.engine, self.secrets, self.clock, self.notify = engine, secrets, clock, notify
        self.capture = capture_dir / f"events-{os.getpid()}.jsonl" if capture_dir else None
        self._capture_lock = threading.Lock()

    def has_start(self, run_id: str) -> bool:
        """Whether a START of this OpenLineage run id is stored (a resumed or retried run)."""
        query = (
            sa.select(outbox.c.id)
            .where(outbox.c.run_id == run_id, outbox.c.event_type == "START")
            .limit(1)
        )
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def write(self, event: RunEvent) -> int:
        """Store one event; returns its outbox id (the delivery order)."""
        payload = serialize(event, self.secrets)
        row = {
            "run_id": event.run.runId,
            "event_type": str(getattr(event.eventType, "value", event.eventType)),
            "event_time": datetime.fromisoformat(event.eventTime),
            "job_namespace": event.job.namespace,
            "job_name": event.job.name,
            "payload": payload,
            "created_at": self.clock(),
            "attempts": 0,
        }
        with self.engine.begin() as conn:
            key = conn.execute(sa.insert(outbox).values(row)).inserted_primary_key
        event_id = int(key[0]) if key else 0
        if self.capture is not None:
            with self._capture_lock, self.capture.open("a", encoding="utf-8") as f:
                f.write(payload + "\n")
        if self.notify is not None:
            self.notify()
        return event_id


class OutboxListener:
    """A `RunListener` that writes the OpenLineage events of every run to the outbox.

    Never raises: a failure to build or store an event is logged with the run id
    and the run goes on. Each run id gets one START (checked against the outbox,
    so it holds across processes); a retried attempt or a resumed run adds
    RUNNING events, then a new terminal event (consumers keep the latest state).
    """

    def __init__(self, builder: EventBuilder, writer: OutboxWriter) -> None:
        self.builder, self.writer = builder, writer
        self._started: set[str] = set()
        self._lock = threading.Lock()

    def _store(self, what: str, make: Callable[[], RunEvent]) -> None:
        try:
            self.writer.write(make())
        except Exception:
            log.exception("lineage: could not store the %s event", what)

    def _started_before(self, run_id: str) -> bool:
        try:
            return self.writer.has_start(run_id)
        except Exception:
            log.exception("lineage: could not read the outbox for run %s", run_id)
            return False

    def run_started(self, run: RunInfo, at: datetime) -> None:
        again = self._started_before(run.run_id)  # `riverkeeper run --resume` keeps the id
        self._store(
            f"START of run {run.run_id}", lambda: self.builder.pipeline_start(run, at, again=again)
        )

    def task_started(self, task: TaskInfo, at: datetime) -> None:
        with self._lock:
            again = task.task_run_id in self._started
            self._started.add(task.task_run_id)
        again = again or self._started_before(task.task_run_id)
        what = f"start of task {task.task} (run {task.task_run_id})"
        if again:
            self._store(what, lambda: self.builder.task_running(task, at))
        else:
            self._store(what, lambda: self.builder.task_start(task, at))

    def task_finished(self, task: TaskInfo, report: TaskReport) -> None:
        with self._lock:
            started = task.task_run_id in self._started
            if report.state.finished:
                self._started.discard(task.task_run_id)
            else:
                self._started.add(task.task_run_id)
        if not started and not self._started_before(
            task.task_run_id
        ):  # skipped / upstream_failed tasks never started: still one START
            self._store(
                f"START of task {task.task}",
                lambda: self.builder.task_start(task, report.started_at),
            )
        self._store(
            f"{report.state} of task {task.task} (run {task.task_run_id})",
            lambda: self.builder.task_end(task, report),
        )

    def run_finished(self, run: RunInfo, state: RunState, at: datetime, error: str | None) -> None:
        self._store(
            f"{state} of run {run.run_id}",
            lambda: self.builder.pipeline_end(run, state, at, error),
        )


def lineage_listener(
    engine: sa.Engine,
    settings: LineageSettings | None = None,
    *,
    notify: Callable[[], None] | None = None,
    clock: Clock = _utcnow,
) -> OutboxListener:
    """The runner's lineage listener, writing to the store behind `engine`.

    `settings`: job namespace (config `lineage.namespace`, default "riverkeeper")
    and the secret values to scrub. `notify`: called after each stored event,
    e.g. `OutboxSender.wake`. Reads `RIVERKEEPER_LINEAGE_CAPTURE_DIR` (tests):
    when set, every event is also appended to a JSONL file there.
    """
    settings = settings or LineageSettings()
    writer = outbox_writer(engine, settings, notify=notify, clock=clock)
    return OutboxListener(EventBuilder(settings), writer)


def outbox_writer(
    engine: sa.Engine,
    settings: LineageSettings,
    *,
    notify: Callable[[], None] | None = None,
    clock: Clock = _utcnow,
) -> OutboxWriter:
    """The outbox writer (copies events to RIVERKEEPER_LINEAGE_CAPTURE_DIR when set)."""
    capture = os.environ.get(CAPTURE_ENV)
    return OutboxWriter(
        engine,
        secrets=settings.secrets,
        capture_dir=Path(capture) if capture else None,
        clock=clock,
        notify=notify,
    )


@dataclass(frozen=True)
class Backlog:
    """What waits in the outbox."""

    pending: int
    rejected: int
    oldest: datetime | None  # created_at of the oldest pending event
    last_error: str | None

    def line(self, now: datetime | None = None) -> str:
        """One line for the CLI, e.g. `lineage outbox: 3 events waiting (oldest 42s) ...`."""
        if not self.pending and not self.rejected:
            return "lineage outbox: all events delivered"
        text = f"lineage outbox: {self.pending} event{'s' * (self.pending != 1)} waiting"
        if self.oldest is not None:
            age = ((now or _utcnow()) - self.oldest).total_seconds()
            text += f" (oldest {age:.0f}s)"
        if self.rejected:
            text += f", {self.rejected} rejected by the backend"
        if self.last_error:
            text += f"; last error: {self.last_error}"
        return text


def backlog(engine: sa.Engine) -> Backlog:
    """Pending and rejected outbox events (for the metrics collector and the CLI)."""
    with engine.connect() as conn:
        pending, oldest = conn.execute(
            sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(PENDING)
        ).one()
        rejected = conn.execute(
            sa.select(sa.func.count()).where(outbox.c.rejected_at.is_not(None))
        ).scalar_one()
        last_error = conn.execute(
            sa.select(outbox.c.last_error)
            .where(outbox.c.delivered_at.is_(None), outbox.c.last_error.is_not(None))
            .order_by(outbox.c.id.desc())
            .limit(1)
        ).scalar()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return Backlog(int(pending), int(rejected), oldest, last_error)


def stored_events(engine: sa.Engine, run_id: str | None = None) -> list[dict[str, object]]:
    """The stored events (payloads), in outbox order; optionally of one run id."""
    query = sa.select(outbox.c.payload).order_by(outbox.c.id)
    if run_id is not None:
        query = query.where(outbox.c.run_id == run_id)
    with engine.connect() as conn:
        return [json.loads(p) for p in conn.execute(query).scalars()]
