"""Wiring lineage into a process: listener + sender from the project config.

    lineage = open_lineage(store.engine, project.spec)        # starts the sender
    runner = Runner(project, store, listeners=[..., lineage.listener])
    ...
    result = lineage.close(drain_timeout=10.0)                  # CLI: bounded wait
    if not result.complete: print(result.message(), file=sys.stderr)

`serve` keeps one `Lineage` for its lifetime and closes it at shutdown.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from openlineage.client.transport import Transport
from sqlalchemy.engine import make_url

from monitor.lineage.events import LineageSettings
from monitor.lineage.outbox import OutboxListener, lineage_listener
from monitor.lineage.sender import DrainResult, OutboxSender
from monitor.lineage.transport import transport_from_config

if TYPE_CHECKING:
    from monitor.config.project import ProjectFile

log = logging.getLogger(__name__)


def _url_password(url: str) -> str | None:
    try:
        return make_url(url).password
    except Exception:  # noqa: BLE001 - not a SQLAlchemy URL: nothing to take from it
        return None


def _secrets(spec: ProjectFile) -> Iterator[str]:
    from monitor.config.project import HttpConnection, SqlConnection

    store_password = _url_password(spec.store.url.get_secret_value())
    if store_password:
        yield store_password
    for connection in spec.connections.values():
        if isinstance(connection, SqlConnection):
            password = _url_password(connection.url.get_secret_value())
            if password:
                yield password
        elif isinstance(connection, HttpConnection):
            for value in connection.headers.values():
                secret = value.get_secret_value()
                yield secret
                yield secret.split(" ", 1)[-1]  # the token of "Bearer <token>"


def lineage_settings(spec: ProjectFile, store_url: sa.URL | None = None) -> LineageSettings:
    """Namespace from `lineage.namespace`; every password and header secret to scrub."""
    found = list(_secrets(spec))
    if store_url is not None and store_url.password:
        found.append(str(store_url.password))
    secrets = tuple(dict.fromkeys(s for s in found if len(s) >= 4))
    return LineageSettings(namespace=spec.lineage.namespace, secrets=secrets)


@dataclass
class Lineage:
    listener: OutboxListener
    sender: OutboxSender

    def close(self, drain_timeout: float = 10.0) -> DrainResult:
        """Deliver what is pending (at most `drain_timeout` s), then stop the sender."""
        try:
            return self.sender.drain(drain_timeout)
        finally:
            # after a drain the thread is idle, or stuck retrying a dead backend
            self.sender.stop(timeout=0.5)


def open_lineage(
    engine: sa.Engine,
    spec: ProjectFile,
    *,
    transport: Transport | None = None,
    start: bool = True,
) -> Lineage:
    """The listener and the (started) sender for the store behind `engine`.

    `transport` defaults to the standard OpenLineage configuration
    (`transport_from_config()`); a broken OpenLineage config is logged and
    falls back to the console, so lineage never stops a run.
    """
    if transport is None:
        try:
            transport = transport_from_config()
        except Exception as exc:  # noqa: BLE001 - bad openlineage.yml must not stop runs
            from openlineage.client.transport.console import ConsoleConfig, ConsoleTransport

            log.error("lineage: the OpenLineage config is invalid (%s); using the console", exc)
            transport = ConsoleTransport(ConsoleConfig())
    sender = OutboxSender(engine, transport)
    if start:
        sender.start()
    listener = lineage_listener(engine, lineage_settings(spec, engine.url), notify=sender.wake)
    return Lineage(listener, sender)
