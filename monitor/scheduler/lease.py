"""Exactly one active scheduler per store.

* PostgreSQL: `pg_try_advisory_lock` held by a dedicated connection. The lock
  lives as long as that session: a crashed `serve` (kill -9) loses it at once,
  and so does one whose connection broke (a restarted server); `renew` notices
  and the scheduler steps down until it gets the lock again.
* SQLite (and others): a row in `scheduler_lease` with an expiry, renewed on
  every pass; a standby takes it over once it expired.

On PostgreSQL the row is also written, as a record of who schedules since when.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Protocol, cast

import sqlalchemy as sa

from monitor.errors import describe
from monitor.store.tables_scheduler import SchedulerLease

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"
LEASE = cast(sa.Table, SchedulerLease.__table__)


class Lease(Protocol):
    owner: str

    def acquire(self, now: datetime) -> bool:
        """Take the lease if free; True when this process holds it afterwards."""

    def renew(self, now: datetime) -> bool:
        """Keep holding it; False when it was lost."""

    def release(self) -> None: ...


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for `pg_try_advisory_lock`."""
    digest = hashlib.sha256(f"riverkeeper.{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class RowLease:
    """A lease row with an expiry (SQLite, or any database)."""

    def __init__(self, engine: sa.Engine, owner: str, ttl: timedelta, name: str = LEASE_NAME):
        self.engine, self.owner, self.ttl, self.name = engine, owner, ttl, name

    def acquire(self, now: datetime) -> bool:
        return self._take(now, fresh=True)

    def renew(self, now: datetime) -> bool:
        return self._take(now, fresh=False)

    def _take(self, now: datetime, *, fresh: bool) -> bool:
        c = LEASE.c
        mine = c.owner == self.owner
        values: dict[str, object] = {"heartbeat_at": now, "expires_at": now + self.ttl}
        try:
            with self.engine.begin() as conn:
                if fresh:
                    took = conn.execute(
                        sa.update(LEASE)
                        .where(c.name == self.name, sa.or_(mine, c.expires_at < now))
                        .values(owner=self.owner, acquired_at=now, **values)
                    ).rowcount
                else:
                    took = conn.execute(
                        sa.update(LEASE).where(c.name == self.name, mine).values(**values)
                    ).rowcount
                if took or not fresh:
                    return bool(took)
                exists = conn.execute(
                    sa.select(sa.func.count()).where(c.name == self.name)
                ).scalar_one()
                if exists:
                    return False
                conn.execute(
                    sa.insert(LEASE).values(
                        name=self.name, owner=self.owner, acquired_at=now, **values
                    )
                )
                return True
        except sa.exc.IntegrityError:
            return False  # another scheduler inserted the row first
        except sa.exc.SQLAlchemyError as exc:
            log.warning("scheduler lease: %s", describe(exc))
            return False

    def release(self) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    sa.delete(LEASE).where(LEASE.c.name == self.name, LEASE.c.owner == self.owner)
                )
        except sa.exc.SQLAlchemyError as exc:  # it simply expires
            log.warning("scheduler lease: could not release: %s", describe(exc))


class AdvisoryLease:
    """`pg_try_advisory_lock` on a dedicated connection (PostgreSQL)."""

    def __init__(self, engine: sa.Engine, owner: str, name: str = LEASE_NAME) -> None:
        # Its own engine without a pool: the session that holds the lock is ours alone.
        self.engine = sa.create_engine(engine.url, poolclass=sa.NullPool)
        self.owner, self.name, self.key = owner, name, advisory_key(name)
        self._conn: sa.Connection | None = None

    def acquire(self, now: datetime) -> bool:
        if self._conn is not None:
            return self.renew(now)
        try:
            conn = self.engine.connect()
            got = conn.execute(sa.select(sa.func.pg_try_advisory_lock(self.key))).scalar_one()
            conn.commit()
        except sa.exc.SQLAlchemyError as exc:
            log.warning("scheduler lease: %s", describe(exc))
            return False
        if not got:
            conn.close()
            return False
        self._conn = conn
        self._write_record(now, fresh=True)
        return True

    def renew(self, now: datetime) -> bool:
        if self._conn is None:
            return False
        try:
            self._conn.execute(sa.select(1)).scalar_one()
            self._conn.commit()
        except sa.exc.SQLAlchemyError as exc:
            log.warning("scheduler lease lost with its connection: %s", describe(exc))
            self._drop()
            return False
        self._write_record(now, fresh=False)
        return True

    def _write_record(self, now: datetime, *, fresh: bool) -> None:
        """Who holds the lock since when (informational; the lock is the truth)."""
        c = LEASE.c
        values = {"owner": self.owner, "heartbeat_at": now, "expires_at": now}
        try:
            with self.engine.begin() as conn:  # the lock makes us the only writer
                if fresh:
                    conn.execute(sa.delete(LEASE).where(c.name == self.name))
                    conn.execute(sa.insert(LEASE).values(name=self.name, acquired_at=now, **values))
                else:
                    conn.execute(sa.update(LEASE).where(c.name == self.name).values(**values))
        except sa.exc.SQLAlchemyError as exc:
            log.warning("scheduler lease record: %s", describe(exc))

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except sa.exc.SQLAlchemyError:
                pass
            self._conn = None

    def release(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute(sa.select(sa.func.pg_advisory_unlock(self.key)))
            self._conn.commit()
            with self.engine.begin() as conn:
                conn.execute(
                    sa.delete(LEASE).where(LEASE.c.name == self.name, LEASE.c.owner == self.owner)
                )
        except sa.exc.SQLAlchemyError as exc:
            log.warning("scheduler lease: could not release: %s", describe(exc))
        self._conn.close()
        self._conn = None
        self.engine.dispose()


def open_lease(engine: sa.Engine, owner: str, ttl: timedelta) -> Lease:
    """The advisory lock on PostgreSQL, a lease row elsewhere."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLease(engine, owner)
    return RowLease(engine, owner, ttl)
