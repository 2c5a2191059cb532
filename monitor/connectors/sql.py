"""SQL sources and targets through SQLAlchemy, with each engine's bulk path.

Bulk writes: PostgreSQL COPY (psycopg 3), DuckDB a registered DataFrame and
INSERT ... SELECT, SQLite one executemany in one transaction. Never
`to_sql(method="multi")`: measured 3.5x slower (design.md §3).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa
from pydantic import Field, model_validator

from monitor.config.base import Model
from monitor.connectors.base import IOContext, ReadResult, WriteResult
from monitor.connectors.typing import frame_columns
from monitor.errors import DataError
from monitor.lineage.naming import table_dataset

if TYPE_CHECKING:
    import pandas as pd


class SqlSource(Model):
    """Rows from a table or a query. Queries may use :interval_start and :interval_end."""

    type: Literal["sql"] = "sql"
    connection: str
    table: str | None = None
    schema_: str | None = Field(default=None, alias="schema")
    query: str | None = None
    chunk_size: int = Field(default=100_000, ge=1)

    @model_validator(mode="after")
    def _one_of(self) -> SqlSource:
        if (self.table is None) == (self.query is None):
            raise ValueError("give exactly one of 'table' or 'query'")
        return self

    def read(self, ctx: IOContext) -> ReadResult:
        import pandas as pd

        engine = ctx.engine_for(self.connection)
        if self.table is not None:
            statement: Any = sa.select(sa.text("*")).select_from(
                sa.table(self.table, schema=self.schema_)
            )
            params: dict[str, Any] = {}
        else:
            statement = sa.text(self.query or "")
            wanted = set(statement.compile().params)
            values = {"interval_start": ctx.interval_start, "interval_end": ctx.interval_end}
            params = {k: v for k, v in values.items() if k in wanted}
        with engine.connect() as conn:
            chunks = list(pd.read_sql(statement, conn, params=params, chunksize=self.chunk_size))
        frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
        name = self.table or f"{ctx.pipeline}.{ctx.task}"
        dataset = table_dataset(
            engine.url,
            name,
            schema=self.schema_,
            connection=self.connection,
            columns=frame_columns(frame),
        )
        return ReadResult(frame=frame, dataset=dataset, rows_in=len(frame))


class SqlTarget(Model):
    """A table. `append` adds rows; `replace` swaps all rows in one transaction."""

    type: Literal["sql"] = "sql"
    connection: str
    table: str
    schema_: str | None = Field(default=None, alias="schema")
    mode: Literal["append", "replace"] = "append"

    def write(self, frame: pd.DataFrame, ctx: IOContext) -> WriteResult:
        engine = ctx.engine_for(self.connection)
        dataset = table_dataset(
            engine.url,
            self.table,
            schema=self.schema_,
            connection=self.connection,
            columns=frame_columns(frame),
        )
        with engine.begin() as conn:
            table = ensure_table(conn, self.table, self.schema_, frame)
            if self.mode == "replace":
                conn.execute(table.delete())
            bulk_insert(conn, table, frame)
        return WriteResult(dataset=dataset, rows_written=len(frame), mode=self.mode)


def sa_type(dtype: Any) -> sa.types.TypeEngine[Any]:
    """The SQL column type for a pandas dtype."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(dtype):
        return sa.Boolean()
    if pd.api.types.is_integer_dtype(dtype):
        return sa.BigInteger()
    if pd.api.types.is_float_dtype(dtype):
        return sa.Float()
    if isinstance(dtype, pd.DatetimeTZDtype):
        return sa.DateTime(timezone=True)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return sa.DateTime()
    return sa.Text()


def ensure_table(
    conn: sa.Connection, name: str, schema: str | None, frame: pd.DataFrame
) -> sa.Table:
    """The target table, created from the frame's columns when it does not exist."""
    inspector = sa.inspect(conn)
    metadata = sa.MetaData()
    if inspector.has_table(name, schema=schema):
        existing = {c["name"] for c in inspector.get_columns(name, schema=schema)}
        missing = [str(c) for c in frame.columns if str(c) not in existing]
        if missing:
            raise DataError(
                f"{schema + '.' if schema else ''}{name}",
                f"the table has no column(s) {', '.join(missing)}",
            )
        columns = [sa.column(str(c)) for c in frame.columns]
        return sa.table(name, *columns, schema=schema)  # type: ignore[return-value]
    table = sa.Table(
        name,
        metadata,
        *(sa.Column(str(c), sa_type(t)) for c, t in frame.dtypes.items()),
        schema=schema,
    )
    table.create(conn)
    return table


def bulk_insert(conn: sa.Connection, table: sa.Table | sa.TableClause, frame: pd.DataFrame) -> None:
    """Insert all rows through the engine's fast path."""
    if frame.empty:
        return
    dialect = conn.dialect.name
    if dialect == "postgresql":
        _copy_postgres(conn, table, frame)
    elif dialect == "duckdb":
        _insert_duckdb(conn, table, frame)
    else:
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        conn.execute(sa.insert(table), records)


def _copy_postgres(
    conn: sa.Connection, table: sa.Table | sa.TableClause, frame: pd.DataFrame
) -> None:
    preparer = conn.dialect.identifier_preparer
    target = preparer.format_table(table)  # type: ignore[arg-type]
    columns = ", ".join(preparer.quote(str(c)) for c in frame.columns)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
    raw = conn.connection.driver_connection
    statement = f"COPY {target} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        copy.write(buffer.getvalue())


def _insert_duckdb(
    conn: sa.Connection, table: sa.Table | sa.TableClause, frame: pd.DataFrame
) -> None:
    view = "__riverkeeper_frame"
    raw = conn.connection.driver_connection
    raw.register(view, frame)  # type: ignore[union-attr]
    try:
        source = sa.table(view, *(sa.column(str(c)) for c in frame.columns))
        conn.execute(
            sa.insert(table).from_select([str(c) for c in frame.columns], sa.select(*source.c))
        )
    finally:
        raw.unregister(view)  # type: ignore[union-attr]
