"""The background sender: delivers outbox events in id order, once, whatever happens.

* One sender per store at a time: a lease row (`lineage_sender_lease`) renewed on
  every pass; a second process (a CLI run while `serve` runs) leaves delivery to
  the lease holder, and its `drain()` waits for the holder to deliver.
* In order: events go out strictly by outbox id; the first failure stops the pass
  (nothing overtakes an undelivered event) and the sender backs off
  exponentially (`backoff_initial` doubling up to `backoff_max`) until it works.
* Once: an event is marked delivered right after the transport accepted it. A
  crash between those two steps (a few microseconds) re-sends that one event.
* A backend that refuses an event for good (HTTP 4xx other than 408/429) gets it
  marked `rejected_at` with the reason, so one bad event cannot block the rest.
* Restart-safe: the outbox is the only state; a new sender resumes from it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from openlineage.client.transport import Transport

from monitor.errors import describe
from monitor.lineage.outbox import backlog
from monitor.lineage.tables import PENDING, outbox, sender_lease

log = logging.getLogger(__name__)
LEASE_NAME = "outbox"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def is_permanent(error: BaseException) -> bool:
    """Whether the backend refused the event itself (retrying the same bytes cannot help)."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return isinstance(status, int) and 400 <= status < 500 and status not in (408, 429)


@dataclass(frozen=True)
class DrainResult:
    delivered: int
    pending: int
    last_error: str | None

    @property
    def complete(self) -> bool:
        return self.pending == 0

    def message(self) -> str:
        """What a CLI prints when it exits: silent success, or what stays behind."""
        if self.complete:
            return f"lineage: {self.delivered} events delivered"
        if self.pending < 0:
            return f"lineage: could not read the outbox ({self.last_error})"
        why = f" ({self.last_error})" if self.last_error else ""
        return (
            f"lineage: {self.pending} events not delivered{why}; they stay in the outbox "
            "and are sent by `riverkeeper serve` or the next run"
        )


class OutboxSender:
    """Delivers `lineage_events` through an OpenLineage transport, in a daemon thread."""

    def __init__(
        self,
        engine: sa.Engine,
        transport: Transport,
        *,
        batch_size: int = 200,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        idle_interval: float = 1.0,
        lease_seconds: float = 30.0,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.engine, self.transport, self.clock = engine, transport, clock
        self.batch_size, self.idle_interval = batch_size, idle_interval
        self.backoff_initial, self.backoff_max = backoff_initial, backoff_max
        self.lease = timedelta(seconds=lease_seconds)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.last_error: str | None = None
        self.delivered_total = 0
        self._delay = 0.0
        self._failing = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pass_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    # -- life cycle -----------------------------------------------------------------
    def start(self) -> OutboxSender:
        """Start the background thread (idempotent); returns self."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._loop, name="riverkeeper-lineage-sender", daemon=True
            )
            self._thread.start()
        return self

    def wake(self) -> None:
        """Ask for a pass now (the outbox writer calls this after each insert)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and give up the lease so another process can take over."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._release()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                sent = self.send_pending()
            except Exception as exc:  # noqa: BLE001 - the store is unavailable: retry later
                log.warning("lineage sender: %s", describe(exc))
                sent, self.last_error = 0, describe(exc)
                self._delay = self._next_delay()
            if self._delay:  # backing off: new events do not shorten the wait
                self._stop.wait(self._delay)
            elif not sent:
                self._wake.wait(self.idle_interval)
            self._wake.clear()

    def _next_delay(self) -> float:
        return min(self.backoff_max, (self._delay * 2) or self.backoff_initial)

    # -- one pass -------------------------------------------------------------------
    def send_pending(self) -> int:
        """Deliver pending events in id order until the outbox is empty or a send fails.

        Returns how many were delivered. Does nothing (returns 0) when another
        sender holds the lease. An empty outbox costs one read, no write, so an
        idle sender can poll often (`idle_interval`, 1 s: a CLI run's events
        are picked up quickly by `serve` when it holds the lease).
        """
        with self._pass_lock:
            delivered = 0
            while True:
                with self.engine.connect() as conn:  # a read: an idle sender never writes
                    waiting = conn.execute(sa.select(outbox.c.id).where(PENDING).limit(1)).first()
                if waiting is None:
                    self._delay = 0.0
                    return delivered
                if not self._acquire():  # take or renew the lease before each batch
                    return delivered
                with self.engine.connect() as conn:
                    rows = conn.execute(
                        sa.select(outbox.c.id, outbox.c.payload)
                        .where(PENDING)
                        .order_by(outbox.c.id)
                        .limit(self.batch_size)
                    ).all()
                for event_id, payload in rows:
                    if self._stop.is_set() and self._thread is not None:
                        return delivered
                    if not self._send_one(event_id, payload):
                        return delivered
                    delivered += 1

    def _send_one(self, event_id: int, payload: str) -> bool:
        try:
            self.transport.emit(json.loads(payload))  # the stored dict, exactly as validated
        except Exception as exc:  # noqa: BLE001 - any transport error is a failed send
            error = describe(exc)
            permanent = is_permanent(exc)
            values: dict[str, Any] = {"attempts": outbox.c.attempts + 1, "last_error": error}
            if permanent:
                values["rejected_at"] = self.clock()
            with self.engine.begin() as conn:
                conn.execute(sa.update(outbox).where(outbox.c.id == event_id).values(values))
            self.last_error = error
            if permanent:
                log.error("lineage: the backend rejected event %s: %s", event_id, error)
                return True  # skip it; the next one may go
            self._delay = self._next_delay()
            # one warning when delivery starts failing, then quiet retries (debug)
            level = logging.DEBUG if self._failing else logging.WARNING
            log.log(level, "lineage: delivery failed (%s); retrying in %.1fs", error, self._delay)
            self._failing = True
            return False
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(outbox)
                .where(outbox.c.id == event_id)
                .values(delivered_at=self.clock(), attempts=outbox.c.attempts + 1)
            )
        self.delivered_total += 1
        self._delay = 0.0
        if self._failing:
            log.warning(
                "lineage: delivery works again; %s events delivered so far", self.delivered_total
            )
            self._failing = False
        return True

    # -- lease ----------------------------------------------------------------------
    def _acquire(self) -> bool:
        now = self.clock()
        values = {"owner": self.owner, "expires_at": now + self.lease}
        with self.engine.begin() as conn:
            taken = conn.execute(
                sa.update(sender_lease)
                .where(
                    sender_lease.c.name == LEASE_NAME,
                    sa.or_(sender_lease.c.owner == self.owner, sender_lease.c.expires_at < now),
                )
                .values(values)
            ).rowcount
            if taken:
                return True
            exists = conn.execute(
                sa.select(sa.func.count()).where(sender_lease.c.name == LEASE_NAME)
            ).scalar_one()
        if exists:
            return False
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.insert(sender_lease).values(name=LEASE_NAME, **values))
            return True
        except sa.exc.IntegrityError:  # another sender inserted it first
            return False

    def _release(self) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    sa.delete(sender_lease).where(
                        sender_lease.c.name == LEASE_NAME, sender_lease.c.owner == self.owner
                    )
                )
        except sa.exc.SQLAlchemyError as exc:  # the lease simply expires
            log.warning("lineage sender: could not release the lease: %s", describe(exc))

    # -- draining -------------------------------------------------------------------
    def drain(self, timeout: float) -> DrainResult:
        """Deliver what is pending, waiting at most `timeout` seconds (short CLI runs).

        Works on a daemon thread, so a transport stuck in its own retries cannot
        hold the caller past `timeout`; retries with the sender's backoff inside
        the budget; when another process holds the lease, waits for it to
        deliver. Returns at once when this sender's deliveries are failing
        already (a dead backend costs a CLI run nothing). Never raises.
        """
        before = self.delivered_total
        if self._failing:  # the backend failed during the run: do not make the CLI wait
            try:
                pending = backlog(self.engine).pending
            except Exception as exc:  # noqa: BLE001 - the store is gone: say so
                return DrainResult(0, -1, describe(exc))
            return DrainResult(0, pending, self.last_error)
        stop = threading.Event()
        finished = threading.Event()

        def work() -> None:
            while not stop.is_set():
                try:
                    self.send_pending()
                    if backlog(self.engine).pending == 0:
                        finished.set()
                        return
                except Exception as exc:  # noqa: BLE001 - drain never raises
                    self.last_error = describe(exc)
                stop.wait(self._delay or 0.1)

        worker = threading.Thread(target=work, name="riverkeeper-lineage-drain", daemon=True)
        worker.start()
        worker.join(timeout)
        stop.set()
        delivered = self.delivered_total - before
        if finished.is_set():
            return DrainResult(delivered, 0, None)
        try:
            pending = backlog(self.engine).pending
        except Exception as exc:  # noqa: BLE001 - the store is gone: say so
            return DrainResult(delivered, -1, describe(exc))
        if pending == 0:
            return DrainResult(delivered, 0, None)
        error = self.last_error
        if worker.is_alive() and error is None:
            error = f"no answer from the transport within {timeout:g}s"
        return DrainResult(delivered, pending, error)


def start_sender(engine: sa.Engine, transport: Transport, **options: Any) -> OutboxSender:
    """Start the background sender for the store behind `engine`; `stop()` it at exit."""
    return OutboxSender(engine, transport, **options).start()
