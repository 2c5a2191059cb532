"""Opening the store: engine, SQLite pragmas, Alembic migrations."""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from monitor.errors import StoreError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_STORE_URL = "sqlite:///.riverkeeper/riverkeeper.db"


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (dashboard) never block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_store_engine(url: str, *, workers: int | None = None) -> sa.Engine:
    """An engine for the store; creates the folder of a SQLite file.

    `workers`: size the connection pool for that many concurrent runs (`serve`);
    None keeps SQLAlchemy's default pool (5 + 10 overflow, 30 s timeout)."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    pool = {} if workers is None else _pool_for(workers, sqlite=sqlite)
    if sqlite:
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30}, **pool)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **pool)


def _pool_for(workers: int, *, sqlite: bool) -> dict[str, int]:
    """Pool options for `workers` concurrent runs: each run, its heartbeat and its
    listeners use store connections; the default pool of 5 + 10 made runs wait for a
    connection, and time out after 30 s, with hundreds of workers."""
    if sqlite:
        return {"pool_size": min(max(workers, 5), 200), "max_overflow": min(workers, 100)}
    # A server has a connection limit (PostgreSQL: max_connections, 100 by default,
    # shared with everyone): at most 40 here; more runs wait for a connection.
    return {
        "pool_size": min(max(workers, 5), 20),
        "max_overflow": min(workers, 20),
        "pool_timeout": 300,
    }


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: sa.Engine) -> None:
    """Upgrade the store to the newest revision of every branch; keeps existing data."""
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")
    except sa.exc.OperationalError as exc:
        raise StoreError(f"cannot open the store at {_safe(engine)}: {exc.orig}") from exc


def current_heads(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def latest_heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def _safe(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
