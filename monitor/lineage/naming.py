"""Dataset names by the OpenLineage naming spec; never a password or token.

PostgreSQL: namespace postgres://host:port, name db.schema.table.
Files: namespace file, name the absolute path.
SQLite / DuckDB (not in the spec): namespace sqlite://<abs path> or
duckdb://<abs path>, name the (schema-qualified) table.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from monitor.pipeline.events import Column, DatasetRef

_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306, "mssql": 1433}
_SCHEMES = {"postgresql": "postgres", "mariadb": "mysql"}


def table_dataset(
    url: str | URL,
    table: str,
    *,
    schema: str | None = None,
    connection: str = "",
    columns: Iterable[Column] = (),
) -> DatasetRef:
    """The dataset of a table reached through a SQLAlchemy URL."""
    parsed = make_url(url) if isinstance(url, str) else url
    backend = parsed.get_backend_name()
    if backend in ("sqlite", "duckdb"):
        database = parsed.database or ":memory:"
        location = database if database == ":memory:" else str(Path(database).resolve())
        namespace = f"{backend}://{location}"
        name = f"{schema}.{table}" if schema else table
    else:
        scheme = _SCHEMES.get(backend, backend)
        port = parsed.port or _DEFAULT_PORTS.get(backend)
        host = parsed.host or "localhost"
        namespace = f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"
        default_schema = "public" if backend == "postgresql" else None
        parts = [parsed.database, schema or default_schema, table]
        name = ".".join(p for p in parts if p)
    return DatasetRef(namespace, name, connection=connection, table=table, columns=tuple(columns))


def file_dataset(
    path: str | Path, *, connection: str = "", columns: Iterable[Column] = ()
) -> DatasetRef:
    """The dataset of a file or a folder of files (a partitioned data set)."""
    resolved = str(Path(path).resolve())
    return DatasetRef(
        "file", resolved, connection=connection, table=Path(path).name, columns=tuple(columns)
    )


def http_dataset(base_url: str, path: str, *, connection: str = "") -> DatasetRef:
    """The dataset of a REST resource: namespace scheme://host:port, name the path."""
    url = make_url_http(base_url)
    return DatasetRef(url, "/" + path.lstrip("/"), connection=connection, table=path.strip("/"))


def make_url_http(base_url: str) -> str:
    """scheme://host[:port] of an HTTP URL, without credentials, path or query."""
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"
