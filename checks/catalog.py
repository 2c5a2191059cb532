"""Read a table's columns from the catalog (no scan of the data).

SQLAlchemy's inspector serves SQLite and PostgreSQL. For DuckDB, duckdb-engine's
inspector issues many pg_catalog queries (about 0.2 s here, three times the
scan of 100,000 rows), so DuckDB reads its `duckdb_columns()` function in one
query (0.6 ms; the `information_schema.columns` view over it takes 1.7 ms).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from checks.scan import Column, type_family

_DUCK_TYPES: dict[str, Any] = {
    "BIGINT": sa.BigInteger,
    "INTEGER": sa.Integer,
    "SMALLINT": sa.SmallInteger,
    "TINYINT": sa.SmallInteger,
    "HUGEINT": sa.BigInteger,
    "UBIGINT": sa.BigInteger,
    "UINTEGER": sa.BigInteger,
    "USMALLINT": sa.Integer,
    "UTINYINT": sa.SmallInteger,
    "DOUBLE": sa.Float,
    "FLOAT": sa.Float,
    "REAL": sa.Float,
    "DECIMAL": sa.Numeric,
    "VARCHAR": sa.String,
    "BOOLEAN": sa.Boolean,
    "DATE": sa.Date,
    "TIME": sa.Time,
    "UUID": sa.Uuid,
    "BLOB": sa.LargeBinary,
    "INTERVAL": sa.Interval,
}

_COLUMNS = sa.func.duckdb_columns().table_valued(
    "database_name", "schema_name", "table_name", "column_name", "data_type", "column_index"
)


def duckdb_type(name: str) -> sa.types.TypeEngine[Any]:
    upper = name.upper()
    if upper.startswith("TIMESTAMP"):
        return sa.DateTime(timezone="TIME ZONE" in upper or upper == "TIMESTAMPTZ")
    if upper.endswith("]"):  # LIST / ARRAY types
        return sa.types.NullType()
    base = re.split(r"[( ]", upper, maxsplit=1)[0]
    factory = _DUCK_TYPES.get(base)
    return factory() if factory is not None else sa.types.NullType()


def read_columns(conn: sa.Connection, table: str, schema: str | None) -> dict[str, Column]:
    """Name → column, in table order; raises NoSuchTableError when the table is unknown."""
    if conn.dialect.name != "duckdb":
        reflected = sa.inspect(conn).get_columns(table, schema=schema)
        return {c["name"]: Column(c["name"], c["type"], type_family(c["type"])) for c in reflected}
    owner = sa.literal(schema) if schema is not None else sa.func.current_schema()
    stmt = (
        sa.select(_COLUMNS.c.column_name, _COLUMNS.c.data_type)
        .where(
            _COLUMNS.c.database_name == sa.func.current_database(),
            _COLUMNS.c.schema_name == owner,
            _COLUMNS.c.table_name == table,
        )
        .order_by(_COLUMNS.c.column_index)
    )
    rows = conn.execute(stmt).all()
    if not rows:
        raise sa.exc.NoSuchTableError(table)
    out: dict[str, Column] = {}
    for name, data_type in rows:
        t = duckdb_type(data_type)
        out[name] = Column(name, t, type_family(t), str(data_type))
    return out
