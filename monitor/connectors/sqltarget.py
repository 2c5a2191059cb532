"""SQL targets: append, replace, merge on a key, or replace the run's interval.

Every mode runs in one transaction, so readers see the old rows or the new ones,
and rerunning the same run leaves the same rows (no duplicates):
* merge: the rows go to a temp staging table (fast path), then
  DELETE target rows whose key is staged + INSERT ... SELECT from staging;
* replace_interval: DELETE rows with interval_column in [start, end), then insert.
"""

from __future__ import annotations

import importlib.util
import logging
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa
from pydantic import Field, model_validator

from monitor.config.base import Model
from monitor.connectors import drift
from monitor.connectors.base import IOContext, WriteResult
from monitor.connectors.bulk import ADBC_MIN_ROWS, adbc_append, bulk_insert, sa_type, typed_table
from monitor.connectors.connect import sql_connection
from monitor.connectors.typing import frame_columns
from monitor.errors import DataError
from monitor.lineage.naming import table_dataset

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)
WriteMode = Literal["append", "replace", "merge", "replace_interval"]


class SqlTarget(Model):
    """A table in a sql connection (created from the frame when missing)."""

    type: Literal["sql"] = "sql"
    connection: str
    table: str
    schema_: str | None = Field(default=None, alias="schema")
    mode: WriteMode = "append"
    key: list[str] = Field(default_factory=list)  # merge: the columns that identify a row
    interval_column: str | None = None  # replace_interval: the date/timestamp column
    on_schema_change: Literal["evolve", "fail"] = "evolve"

    @model_validator(mode="after")
    def _mode_needs(self) -> SqlTarget:
        if self.mode == "merge" and not self.key:
            raise ValueError("mode merge needs 'key' (the column(s) that identify a row)")
        if self.mode == "replace_interval" and not self.interval_column:
            raise ValueError("mode replace_interval needs 'interval_column'")
        return self

    @property
    def shown(self) -> str:
        return f"{self.connection}.{self.schema_ + '.' if self.schema_ else ''}{self.table}"

    def write(self, frame: pd.DataFrame, ctx: IOContext) -> WriteResult:
        if frame.empty and len(frame.columns) == 0 and self.mode in ("append", "merge"):
            with sql_connection(ctx, self.connection) as conn:  # nothing new: nothing to do
                return WriteResult(self._dataset(conn, frame), rows_written=0, mode=self.mode)
        for column in [*self.key, *([self.interval_column] if self.interval_column else [])]:
            if column not in frame.columns:
                raise DataError(
                    self.shown, f"the rows have no column {column!r} (mode {self.mode})"
                )
        with sql_connection(ctx, self.connection, begin=True) as conn:
            if _untyped_empty(frame) and not sa.inspect(conn).has_table(
                self.table, schema=self.schema_
            ):  # nothing to write, and no types to create the table from: wait for rows
                return WriteResult(
                    dataset=self._dataset(conn, frame), rows_written=0, mode=self.mode
                )
            frame, table = self._prepare(conn, frame)
            fast = self._adbc(conn, frame)
            written = 0 if fast else self._write(conn, table, frame, ctx)
            url = conn.engine.url
        if fast:  # the table is ready (committed); the rows go in one ADBC transaction
            try:
                written = adbc_append(url, table, frame)
            except Exception:  # any ADBC failure: the rows go by COPY instead
                log.debug("ADBC ingest into %s failed; using COPY", self.shown, exc_info=True)
                with sql_connection(ctx, self.connection, begin=True) as conn:
                    written = bulk_insert(conn, table, frame)
        dataset = table_dataset(
            url,
            self.table,
            schema=self.schema_,
            connection=self.connection,
            columns=frame_columns(frame),
        )
        return WriteResult(dataset=dataset, rows_written=written, mode=self.mode)

    def _dataset(self, conn: sa.Connection, frame: pd.DataFrame) -> Any:
        return table_dataset(
            conn.engine.url,
            self.table,
            schema=self.schema_,
            connection=self.connection,
            columns=frame_columns(frame),
        )

    def _adbc(self, conn: sa.Connection, frame: pd.DataFrame) -> bool:
        if self.mode != "append" or conn.dialect.name != "postgresql":
            return False
        if len(frame) < ADBC_MIN_ROWS:
            return False
        return importlib.util.find_spec("adbc_driver_postgresql") is not None

    def _prepare(self, conn: sa.Connection, frame: pd.DataFrame) -> tuple[pd.DataFrame, sa.Table]:
        """Create the table, or check and evolve its schema; the table with typed columns."""
        inspector = sa.inspect(conn)
        if not inspector.has_table(self.table, schema=self.schema_):
            ensure_schema(conn, self.schema_)
            types = {str(c): sa_type(t) for c, t in frame.dtypes.items()}
            table = typed_table(self.table, self.schema_, types)
            table.create(conn)
            return frame, table
        existing = {
            c["name"]: c["type"] for c in inspector.get_columns(self.table, schema=self.schema_)
        }
        found = drift.compare(frame, existing)
        frame = drift.resolve(frame, found, table=self.shown, policy=self.on_schema_change)
        for column, type_ in found.new_columns.items():
            _add_column(conn, self.table, self.schema_, column, type_)
            existing[column] = type_
        return frame, typed_table(self.table, self.schema_, existing)

    def _write(
        self, conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, ctx: IOContext
    ) -> int:
        if self.mode == "replace":
            conn.execute(table.delete())
        elif self.mode == "replace_interval":
            assert self.interval_column is not None
            column = table.c[self.interval_column]
            start, end = interval_bounds(column.type, ctx.interval_start, ctx.interval_end)
            outside = _outside(frame[self.interval_column], start, end)
            if outside:
                raise DataError(
                    self.shown,
                    f"{outside} row(s) have {self.interval_column} outside the run's interval "
                    f"[{ctx.interval_start.isoformat()}, {ctx.interval_end.isoformat()}); "
                    "replace_interval only writes the run's own interval",
                )
            conn.execute(table.delete().where(column >= start, column < end))
        elif self.mode == "merge":
            return _merge(conn, table, frame, self.key)
        return bulk_insert(conn, table, frame)


def ensure_schema(conn: sa.Connection, schema: str | None) -> None:
    """CREATE SCHEMA IF NOT EXISTS (PostgreSQL, DuckDB; SQLite has no schemas to create)."""
    if schema and conn.dialect.name != "sqlite":
        conn.execute(sa.schema.CreateSchema(schema, if_not_exists=True))


def _untyped_empty(frame: pd.DataFrame) -> bool:
    return frame.empty and any(t == object for t in frame.dtypes)


def _merge(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, key: list[str]) -> int:
    """Upsert: stage, delete the staged keys from the target, insert the staged rows."""
    frame = frame.drop_duplicates(subset=key, keep="last")
    columns = {str(c): table.c[str(c)].type for c in frame.columns}
    staging = sa.Table(
        f"rk_stage_{table.name}",
        sa.MetaData(),
        *(sa.Column(c, t) for c, t in columns.items()),
        prefixes=["TEMPORARY"],
    )
    staging.drop(conn, checkfirst=True)
    staging.create(conn)
    try:
        bulk_insert(conn, staging, frame)
        match = sa.and_(*(table.c[k] == staging.c[k] for k in key))
        conn.execute(table.delete().where(sa.exists().where(match)))
        names = list(columns)
        conn.execute(sa.insert(table).from_select(names, sa.select(*(staging.c[n] for n in names))))
    finally:
        staging.drop(conn)
    return len(frame)


def _add_column(
    conn: sa.Connection, table: str, schema: str | None, column: str, type_: Any
) -> None:
    """ALTER TABLE ... ADD COLUMN (SQLAlchemy Core has no construct for it)."""
    preparer = conn.dialect.identifier_preparer
    target = preparer.format_table(sa.table(table, schema=schema))
    ddl = type_.compile(dialect=conn.dialect)
    conn.execute(sa.text(f"ALTER TABLE {target} ADD COLUMN {preparer.quote(column)} {ddl}"))


def interval_bounds(type_: Any, start: datetime, end: datetime) -> tuple[Any, Any]:
    """The interval in the column's terms: dates for a DATE column, else timestamps."""
    if drift.family(type_) == "date":
        return _naive(start).date(), _naive(end).date()
    if getattr(type_, "timezone", False):
        return start, end
    return _naive(start), _naive(end)


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _outside(values: pd.Series, start: Any, end: Any) -> int:
    import pandas as pd

    present = values.dropna()
    if present.empty:
        return 0
    if isinstance(start, date) and not isinstance(start, datetime):
        stamps = pd.to_datetime(present.astype("string"), utc=True)
        low, high = pd.Timestamp(start, tz=UTC), pd.Timestamp(end, tz=UTC)
    else:
        stamps = pd.to_datetime(present, utc=True)
        low, high = pd.Timestamp(_naive(start), tz=UTC), pd.Timestamp(_naive(end), tz=UTC)
    return int(((stamps < low) | (stamps >= high)).sum())
