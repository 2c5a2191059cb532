"""sql: an ELT model, a SELECT run in the warehouse and materialised there.

* view: the view is dropped and created in one transaction;
* table: built as `<name>__rk_new`, then swapped in (drop old, rename) in one transaction;
* incremental: built in full the first time; afterwards the rows of the run's
  interval (by `interval_column`) are deleted and inserted again, so a rerun of a
  run never duplicates.
The model's SQL may use :interval_start, :interval_end, :interval_start_date,
:interval_end_date (rendered as literals of the run's interval).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from monitor.config.pipeline import SqlTask
from monitor.connectors.connect import sql_connection
from monitor.connectors.sql import interval_params
from monitor.connectors.sqltarget import ensure_schema, interval_bounds
from monitor.errors import DataError
from monitor.lineage.naming import table_dataset
from monitor.pipeline.events import Column, DatasetRef
from monitor.pipeline.tasks.base import TaskContext, TaskOutput
from monitor.transforms.templating import parse_model, render

if TYPE_CHECKING:
    from monitor.lineage.sql import SqlLineage

log = logging.getLogger(__name__)
_PARAM = re.compile(
    r"(?<![:\w]):(interval_start_date|interval_end_date|interval_start|interval_end)\b"
)


def run_sql_model(ctx: TaskContext) -> TaskOutput:
    spec: SqlTask = ctx.spec
    where = f"{ctx.pipeline.name}.{ctx.task}"
    try:
        text = spec.text(ctx.project.config_dir)
    except OSError as exc:
        raise DataError(
            where, f"cannot read model {spec.model_path(ctx.project.config_dir)}: {exc.strerror}"
        ) from exc
    refs = parse_model(text)
    tasks = ctx.pipeline.spec.tasks
    relations = {(t.relation or n): (n, t) for n, t in tasks.items() if isinstance(t, SqlTask)}
    for name in refs.refs:
        if name not in relations:
            raise DataError(where, f"ref({name!r}) names no sql task of this pipeline")
        task_name = relations[name][0]
        if task_name not in ctx.pipeline.upstream.get(ctx.task, []):
            raise DataError(
                where, f"ref({name!r}) needs task {task_name!r} upstream: add it to depends_on"
            )
    materialized = spec.materialized or refs.config.get("materialized", "view")
    if materialized not in ("view", "table", "incremental"):
        raise DataError(
            where, f"unknown materialization {materialized!r} (view, table, incremental)"
        )
    relation = spec.relation or ctx.task
    with sql_connection(ctx.io, spec.connection, begin=True) as conn:
        preparer = conn.dialect.identifier_preparer

        def quoted(name: str, schema: str | None) -> str:
            return preparer.format_table(sa.table(name, schema=schema))

        def ref(name: str) -> str:
            task_name, task = relations[name]
            return quoted(task.relation or task_name, task.schema_)

        def source(connection: str, table: str) -> str:
            if connection != spec.connection:
                raise DataError(
                    where,
                    f"source({connection!r}, {table!r}) is in another connection than the "
                    f"model ({spec.connection!r})",
                )
            schema, _, name = table.rpartition(".")
            return quoted(name, schema or None)

        try:
            select = render(text, ref, source)
        except ValueError as exc:
            raise DataError(where, str(exc)) from exc
        select = _literal_params(select, ctx, conn.dialect.name)
        ensure_schema(conn, spec.schema_)
        target = quoted(relation, spec.schema_)
        if materialized == "view":
            _drop(conn, relation, spec.schema_, target)
            conn.execute(sa.text(f"CREATE VIEW {target} AS {select}"))
        elif materialized == "table":
            staging = quoted(f"{relation}__rk_new", spec.schema_)
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {staging}"))
            conn.execute(sa.text(f"CREATE TABLE {staging} AS {select}"))
            _drop(conn, relation, spec.schema_, target)
            conn.execute(sa.text(f"ALTER TABLE {staging} RENAME TO {preparer.quote(relation)}"))
        else:
            _incremental(conn, spec, relation, target, select, ctx)
        count = conn.execute(
            sa.select(sa.func.count()).select_from(sa.table(relation, schema=spec.schema_))
        ).scalar_one()
        columns = tuple(
            Column(c["name"], str(c["type"]))
            for c in sa.inspect(conn).get_columns(relation, schema=spec.schema_)
        )
        url = conn.engine.url
        dialect = conn.dialect.name
    output = table_dataset(
        url, relation, schema=spec.schema_, connection=spec.connection, columns=columns
    )
    lineage = _lineage(select, dialect, ctx, spec, output, relations)
    inputs = lineage.inputs if lineage is not None else ()
    return TaskOutput(
        inputs=inputs,
        outputs=(output,),
        origins=(output,),
        rows_out=int(count),
        column_lineage={k: dict(v) for k, v in lineage.columns.items()} if lineage else {},
        sql=select,
    )


def _literal_params(sql: str, ctx: TaskContext, dialect: str) -> str:
    values = interval_params(ctx.io, dialect)
    return _PARAM.sub(lambda m: f"'{_text(values[m.group(1)])}'", sql)


def _text(value: Any) -> str:
    return value.isoformat(sep=" ") if hasattr(value, "hour") else str(value)


def _drop(conn: sa.Connection, relation: str, schema: str | None, target: str) -> None:
    inspector = sa.inspect(conn)
    if relation in inspector.get_view_names(schema=schema):
        conn.execute(sa.text(f"DROP VIEW {target}"))
    elif inspector.has_table(relation, schema=schema):
        conn.execute(sa.text(f"DROP TABLE {target}"))


def _incremental(
    conn: sa.Connection, spec: SqlTask, relation: str, target: str, select: str, ctx: TaskContext
) -> None:
    inspector = sa.inspect(conn)
    if not inspector.has_table(relation, schema=spec.schema_):
        conn.execute(sa.text(f"CREATE TABLE {target} AS {select}"))
        return
    existing = {c["name"]: c["type"] for c in inspector.get_columns(relation, schema=spec.schema_)}
    column = spec.interval_column or ""
    if column not in existing:
        raise DataError(f"{spec.connection}.{relation}", f"no column {column!r} (interval_column)")
    table = sa.Table(
        relation,
        sa.MetaData(),
        *(sa.Column(c, t) for c, t in existing.items()),
        schema=spec.schema_,
    )
    start, end = interval_bounds(existing[column], ctx.io.interval_start, ctx.io.interval_end)
    if conn.dialect.name == "sqlite":
        start, end = _sqlite_bounds(conn, table, column, start, end)
    conn.execute(table.delete().where(table.c[column] >= start, table.c[column] < end))
    model = sa.text(select).columns(*(sa.column(c) for c in existing)).subquery("rk_model")
    rows = sa.select(*model.c).where(model.c[column] >= start, model.c[column] < end)
    conn.execute(sa.insert(table).from_select(list(existing), rows))


def _sqlite_bounds(
    conn: sa.Connection, table: sa.Table, column: str, start: Any, end: Any
) -> tuple[Any, Any]:
    """SQLite keeps dates as text: compare with text of the stored shape."""
    sample = conn.execute(
        sa.select(sa.cast(table.c[column], sa.Text)).where(table.c[column].is_not(None)).limit(1)
    ).scalar()
    if sample is not None and len(str(sample)) == 10:
        return str(start)[:10], str(end)[:10]
    return _text(start), _text(end)


def _lineage(
    sql: str,
    dialect: str,
    ctx: TaskContext,
    spec: SqlTask,
    output: DatasetRef,
    relations: dict[str, Any],
) -> SqlLineage | None:
    """Column lineage from the lineage engineer's SQL parser (never fails the task)."""
    try:
        from monitor.lineage.sql import sql_lineage
    except ImportError:
        return None
    url = ctx.io.engine_for(spec.connection).url

    def resolve(name: str) -> DatasetRef | None:
        parts = [p.strip('"`') for p in name.split(".")]
        table, schema = parts[-1], (parts[-2] if len(parts) > 1 else None)
        if schema in ("main", "public"):
            schema = None
        return table_dataset(url, table, schema=schema, connection=spec.connection)

    try:
        return sql_lineage(sql, dialect, resolve, target=output)
    except Exception:  # lineage is best effort; the model ran
        log.warning("no column lineage for %s.%s", ctx.pipeline.name, ctx.task, exc_info=True)
        return None


__all__ = ["run_sql_model"]
