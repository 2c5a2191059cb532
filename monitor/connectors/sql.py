"""SQL sources through SQLAlchemy: a table or a query, read in chunks, optionally
incremental (a cursor column whose high-water mark is kept in the store).

Queries may use :interval_start / :interval_end (timestamps, UTC) and
:interval_start_date / :interval_end_date (dates) of the run's data interval.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa
from pydantic import Field, model_validator

from monitor.config.base import Model
from monitor.connectors.base import IOContext, ReadResult, Rejected
from monitor.connectors.connect import sql_connection
from monitor.connectors.typing import ColumnType, cast_columns, frame_columns
from monitor.lineage.naming import table_dataset

if TYPE_CHECKING:
    import pandas as pd


class Incremental(Model):
    """Read only rows whose `cursor` is above the last run's high-water mark."""

    cursor: str
    initial: datetime | int | float | str | None = None  # lower bound of the very first run
    until_interval_end: bool = True  # also bound by the run's interval end (rows up to then)


class SqlSource(Model):
    """Rows from a table or a query (bound parameters: `params`, and the run's interval)."""

    type: Literal["sql"] = "sql"
    connection: str
    table: str | None = None
    schema_: str | None = Field(default=None, alias="schema")
    query: str | None = None
    params: dict[str, str | int | float | bool | date | datetime] = Field(default_factory=dict)
    columns: dict[str, ColumnType] = Field(default_factory=dict)
    incremental: Incremental | None = None
    chunk_size: int = Field(default=100_000, ge=1)

    @model_validator(mode="after")
    def _one_of(self) -> SqlSource:
        if (self.table is None) == (self.query is None):
            raise ValueError("give exactly one of 'table' or 'query'")
        return self

    def watermark_key(self, ctx: IOContext) -> str:
        what = self.table or ctx.task
        assert self.incremental is not None
        return f"{self.connection}.{what}.{self.incremental.cursor}"

    def read(self, ctx: IOContext) -> ReadResult:
        import pandas as pd

        with sql_connection(ctx, self.connection) as conn:
            if conn.dialect.name == "postgresql":  # a server-side cursor: chunks stream
                conn = conn.execution_options(stream_results=True)
            statement, params = self._statement(ctx, conn.dialect.name)
            chunks = list(pd.read_sql(statement, conn, params=params, chunksize=self.chunk_size))
            url = conn.engine.url
        frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
        rows_in = len(frame)
        rejected: list[Rejected] = []
        if self.columns:
            frame, bad = cast_columns(frame, self.columns, lambda i: _raw(frame, i))
            rejected = [Rejected(reason, raw, f"row {i + 1}") for i, reason, raw in bad]
        name = self.table or f"{ctx.pipeline}.{ctx.task}"
        dataset = table_dataset(
            url, name, schema=self.schema_, connection=self.connection, columns=frame_columns(frame)
        )
        watermark = None
        if self.incremental is not None:
            cursor = self.incremental.cursor
            previous = ctx.watermarks.get(self.watermark_key(ctx))
            newest = _plain(frame[cursor].max()) if len(frame) and cursor in frame else None
            value = newest if newest is not None else previous
            if value is not None:
                watermark = (self.watermark_key(ctx), value)
        return ReadResult(
            frame=frame, dataset=dataset, rows_in=rows_in, rejected=rejected, watermark=watermark
        )

    def _statement(self, ctx: IOContext, dialect: str) -> tuple[Any, dict[str, Any]]:
        values = {**interval_params(ctx, dialect), **self.params}
        if self.query is not None:
            text = sa.text(self.query)
            wanted = set(text.compile().params)
            params = {k: v for k, v in values.items() if k in wanted}
            source: Any = text.columns().subquery("rk_query")
        else:
            source = sa.table(self.table or "", schema=self.schema_)
            params = {}
        statement = sa.select(sa.text("*")).select_from(source)
        if self.incremental is not None:
            cursor: sa.ColumnClause[Any] = sa.column(self.incremental.cursor)
            previous = ctx.watermarks.get(self.watermark_key(ctx))
            if previous is not None:
                statement = statement.where(cursor > sa.bindparam("rk_after", previous))
            elif self.incremental.initial is not None:
                initial = self.incremental.initial
                statement = statement.where(cursor >= sa.bindparam("rk_after", initial))
            if self.incremental.until_interval_end:
                end = values["interval_end"]
                statement = statement.where(cursor < sa.bindparam("rk_until", end))
            statement = statement.order_by(cursor)
        if self.query is not None:
            return statement.params(**params), {}
        return statement, params


def interval_params(ctx: IOContext, dialect: str) -> dict[str, Any]:
    """The run's interval as query parameters, in the form each engine compares best."""
    start, end = _utc(ctx.interval_start), _utc(ctx.interval_end)
    values: dict[str, Any] = {
        "interval_start": start,
        "interval_end": end,
        "interval_start_date": start.date(),
        "interval_end_date": end.date(),
    }
    if dialect == "sqlite":  # text columns: compare ISO strings of the same shape
        values.update(
            interval_start=start.isoformat(sep=" ", timespec="seconds"),
            interval_end=end.isoformat(sep=" ", timespec="seconds"),
            interval_start_date=start.date().isoformat(),
            interval_end_date=end.date().isoformat(),
        )
    return values


def _utc(value: datetime) -> datetime:
    """A naive UTC datetime (the form TIMESTAMP columns hold)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _plain(value: Any) -> Any:
    """A numpy/pandas scalar as a plain Python value (for the watermark store)."""
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, datetime | date | str | int | float):
        return value
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _raw(frame: pd.DataFrame, index: int) -> str:
    import json

    return json.dumps({str(k): v for k, v in frame.iloc[index].to_dict().items()}, default=str)
