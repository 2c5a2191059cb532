"""Bulk inserts through each engine's fast path, and column types for frames.

PostgreSQL: COPY (psycopg 3) of CSV text written by Arrow, in the caller's
transaction; large appends (one statement, nothing to keep atomic with it) go
through ADBC ingest (binary COPY from Arrow), measured about 1.7x faster
(docs/benchmarks.md "Loads");
DuckDB: register the frame and INSERT ... SELECT; SQLite: one executemany
in the caller's transaction. Never `to_sql(method="multi")` (design.md §3).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    import pandas as pd


def sa_type(dtype: Any) -> sa.types.TypeEngine[Any]:
    """The SQL column type for a pandas dtype."""
    import pandas as pd
    import pyarrow as pa

    if isinstance(dtype, pd.ArrowDtype):
        arrow = dtype.pyarrow_dtype
        if pa.types.is_date(arrow):
            return sa.Date()
        if pa.types.is_timestamp(arrow):
            return sa.DateTime(timezone=arrow.tz is not None)
    if pd.api.types.is_bool_dtype(dtype):
        return sa.Boolean()
    if pd.api.types.is_integer_dtype(dtype):
        return sa.BigInteger()
    if pd.api.types.is_float_dtype(dtype):
        return sa.Float(precision=53)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return sa.DateTime(timezone=True)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return sa.DateTime()
    return sa.Text()


def typed_table(
    name: str, schema: str | None, columns: dict[str, sa.types.TypeEngine[Any]]
) -> sa.Table:
    """A Table object for statements (not created): typed columns give each engine's
    bind processing (SQLite stores dates and timestamps as ISO text)."""
    return sa.Table(
        name, sa.MetaData(), *(sa.Column(c, t) for c, t in columns.items()), schema=schema
    )


def bulk_insert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> int:
    """Insert all rows of `frame` (its columns by name) through the engine's fast path."""
    if frame.empty:
        return 0
    frame = fit_integers(frame, table)
    dialect = conn.dialect.name
    if dialect == "postgresql":
        copy_postgres(conn, table, frame)
    elif dialect == "duckdb":
        insert_duckdb(conn, table, frame)
    else:
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        conn.execute(sa.insert(table), records)
    return len(frame)


def fit_integers(frame: pd.DataFrame, table: sa.Table) -> pd.DataFrame:
    """Float columns headed for integer columns (pandas reads an integer column with
    NULLs as float) as nullable integers, so every engine gets 10, not 10.0."""
    import pandas as pd

    columns = {c.name: c.type for c in table.columns}
    out = frame
    for name, dtype in frame.dtypes.items():
        target = columns.get(str(name))
        if isinstance(target, sa.Integer) and pd.api.types.is_float_dtype(dtype):
            out = out.copy() if out is frame else out
            out[name] = frame[name].astype("Int64")
    return out


ADBC_MIN_ROWS = 50_000  # below this, opening a second connection costs more than it saves


def adbc_append(url: sa.URL, table: sa.Table, frame: pd.DataFrame) -> int:
    """Append through ADBC ingest on its own connection and transaction (PostgreSQL).

    Raises whatever ADBC raises (e.g. a column type the binary COPY cannot map);
    the caller falls back to COPY in its own transaction.
    """
    import adbc_driver_postgresql.dbapi as adbc
    import pyarrow as pa

    data = pa.Table.from_pandas(fit_integers(frame, table), preserve_index=False)
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with adbc.connect(libpq) as conn, conn.cursor() as cursor:
        cursor.adbc_ingest(table.name, data, mode="append", db_schema_name=table.schema)
        conn.commit()
    return len(frame)


def copy_postgres(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """COPY ... FROM STDIN (FORMAT csv) through psycopg 3, in the caller's transaction.

    The CSV text is written by Arrow (about 10x faster than `DataFrame.to_csv`), in
    batches streamed into COPY; frames Arrow cannot convert fall back to pandas.
    """
    preparer = conn.dialect.identifier_preparer
    target = preparer.format_table(table)
    columns = ", ".join(preparer.quote(str(c)) for c in frame.columns)
    raw = conn.connection.driver_connection
    statement = f"COPY {target} ({columns}) FROM STDIN (FORMAT csv)"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for chunk in _csv_chunks(frame):
            copy.write(chunk)


def _csv_chunks(frame: pd.DataFrame, rows: int = 100_000) -> Iterator[bytes]:
    """CSV for COPY: NULL unquoted and empty, empty strings quoted."""
    import pyarrow as pa
    from pyarrow import csv

    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        buffer = io.StringIO()
        _for_csv(frame).to_csv(buffer, index=False, header=False)
        yield buffer.getvalue().encode()
        return
    options = csv.WriteOptions(include_header=False)
    for batch in table.to_batches(max_chunksize=rows):
        out = pa.BufferOutputStream()
        csv.write_csv(pa.Table.from_batches([batch]), out, options)
        yield out.getvalue().to_pybytes()


def _for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """Booleans as true/false, so COPY parses them whatever pandas prints."""
    import pandas as pd

    bools = [c for c, t in frame.dtypes.items() if pd.api.types.is_bool_dtype(t)]
    if not bools:
        return frame
    out = frame.copy()
    for c in bools:
        out[c] = frame[c].map(lambda v: None if pd.isna(v) else ("true" if v else "false"))
    return out


def insert_duckdb(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """Register the frame as a view and INSERT ... SELECT from it."""
    view = f"__riverkeeper_frame_{id(frame):x}"
    raw = conn.connection.driver_connection
    raw.register(view, frame)  # type: ignore[union-attr]
    try:
        source = sa.table(view, *(sa.column(str(c)) for c in frame.columns))
        names = [str(c) for c in frame.columns]
        conn.execute(sa.insert(table).from_select(names, sa.select(*source.c)))
    finally:
        raw.unregister(view)  # type: ignore[union-attr]
