"""Opening connections with errors people can act on.

A database or API that cannot be reached raises `ConnectionFailedError` naming
the connection and its URL without the password; it is transient, so the
task's retry policy applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import sqlalchemy as sa

from monitor.errors import ConnectionFailedError

if TYPE_CHECKING:
    from monitor.connectors.base import IOContext


def connection_url(ctx: IOContext, name: str) -> str:
    """The connection's URL for messages: password masked."""
    conn = ctx.connections.get(name)
    if conn is None:
        return "?"
    url = getattr(conn, "safe_url", None)
    return str(url) if url is not None else str(getattr(conn, "root", "?"))


def scrub(text: str, secret: str | None) -> str:
    """`text` with a secret (a password, a token) replaced by ***."""
    return text.replace(secret, "***") if secret else text


def failed(ctx: IOContext, name: str, exc: BaseException) -> ConnectionFailedError:
    """The error for a connection that could not be opened."""
    engine_url = None
    try:
        engine_url = ctx.engine_for(name).url
    except Exception:  # noqa: BLE001 - only used to scrub the password
        engine_url = None
    password = engine_url.password if engine_url is not None else None
    reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
    if "lock" in reason.lower() and "duckdb" in connection_url(ctx, name):
        reason = f"the DuckDB file is locked by another process ({reason})"
    return ConnectionFailedError(name, connection_url(ctx, name), scrub(reason, password)[:500])


@contextmanager
def sql_connection(ctx: IOContext, name: str, *, begin: bool = False) -> Iterator[sa.Connection]:
    """A connection (or a transaction when `begin`) to a sql connection of the project."""
    engine = ctx.engine_for(name)
    try:
        conn = engine.connect()
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        raise failed(ctx, name, exc) from exc
    except Exception as exc:
        if type(exc).__name__ in ("IOException", "ConnectionException"):  # duckdb
            raise failed(ctx, name, exc) from exc
        raise
    with conn:
        if begin:
            with conn.begin():
                yield conn
        else:
            yield conn
