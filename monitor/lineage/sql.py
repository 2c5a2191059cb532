"""Column lineage of SQL models, from openlineage-sql, with its known gaps filled.

Entry point for the ELT task executor::

    lineage = sql_lineage(sql, dialect="duckdb", resolve=resolve, target=fct_orders)
    TaskReport(..., inputs=lineage.inputs, outputs=lineage.outputs,
               column_lineage=lineage.columns, sql=sql, extra={"dialect": "duckdb"})

`resolve(name)` maps a table name as the SQL writes it (`raw_orders`,
`main.raw_orders`, `shop.public.orders`) to its `DatasetRef` (with columns when
known, which lets `SELECT *` have column lineage), or returns None for
something that is not a dataset. `target` is the dataset a bare SELECT model
is materialised into. `sql_column_lineage(...)` returns just the columns of the
one output.

Gaps of openlineage-sql 1.54 handled here (research note §C):
* the output table is not attached to the column lineage: taken from `out_tables`
  (or `target` for a bare SELECT);
* descendants are SELECT-side names and unaliased expressions come back as
  `_0`, `_1`: mapped positionally onto the INSERT column list;
* `default_schema` breaks CTE input detection: never passed, names are qualified
  by `resolve` afterwards;
* `SELECT *` gives no column lineage: identity over the input's known columns;
* unknown dialects (duckdb) fall back silently to generic: mapped, and a parse
  error retries with the other dialect;
* scripts: statements are parsed one by one and lineage is chained through
  tables written then read in the same script (temp/staging), which are dropped
  from inputs and outputs;
* functions used as tables (`read_parquet(...)`) are not datasets: skipped;
* no transformation types: classified from the SELECT item (bare column:
  IDENTITY, aggregate call: AGGREGATION, else TRANSFORMATION). Columns used only
  in conditions of a CASE are still reported as origins (no DIRECT/INDIRECT split).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openlineage_sql import parse

from monitor.lineage.sqltext import insert_columns, select_branches, split_statements
from monitor.pipeline.events import ColumnOrigin, DatasetRef

log = logging.getLogger(__name__)
Resolve = Callable[[str], DatasetRef | None]
_DIALECTS = {"postgresql": "postgres", "duckdb": "generic", "sqlite": "sqlite", "": "generic"}
_FALLBACK = {"generic": "postgres", "postgres": "generic"}
# origin within the script: (table as written, lower-cased) -> column -> [(table, column, kind)]
_Origins = dict[str, list[tuple[str, str, str]]]


@dataclass(frozen=True)
class SqlLineage:
    inputs: tuple[DatasetRef, ...] = ()
    outputs: tuple[DatasetRef, ...] = ()
    # output dataset key -> output column -> origins (TaskReport.column_lineage)
    columns: Mapping[str, Mapping[str, tuple[ColumnOrigin, ...]]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def sql_column_lineage(
    sql: str, dialect: str, resolve: Resolve, *, target: DatasetRef | None = None
) -> dict[str, tuple[ColumnOrigin, ...]]:
    """Output column -> its origins, for a model with one output."""
    lineage = sql_lineage(sql, dialect, resolve, target=target)
    merged: dict[str, tuple[ColumnOrigin, ...]] = {}
    for columns in lineage.columns.values():
        merged.update(columns)
    return merged


def _combine(first: str, second: str) -> str:
    if "AGGREGATION" in (first, second):
        return "AGGREGATION"
    return "IDENTITY" if first == second == "IDENTITY" else "TRANSFORMATION"


def _parse(statement: str, dialect: str) -> tuple[Any, str | None]:
    mapped = _DIALECTS.get(dialect.lower(), dialect.lower())
    meta = parse([statement], dialect=mapped)
    if meta.errors and mapped in _FALLBACK:
        retry = parse([statement], dialect=_FALLBACK[mapped])
        if not retry.errors:
            return retry, None
    if meta.errors:
        return None, "; ".join(e.message for e in meta.errors)
    return meta, None


def _renames(statement: str) -> dict[str, tuple[str, str]]:
    """openlineage-sql's descendant name -> (output column, transformation kind)."""
    branches = select_branches(statement)
    if not branches:
        return {}
    targets = insert_columns(statement)
    first = branches[0]
    unnamed = 0
    names = []
    for item in first:
        if item.name is None and item.kind != "STAR":
            names.append(f"_{unnamed}")
            unnamed += 1
        else:
            names.append(item.name or "")
    outputs = targets if targets is not None else names
    renames: dict[str, tuple[str, str]] = {}
    for branch in branches:
        unnamed = 0
        for position, item in enumerate(branch):
            if item.kind == "STAR" or position >= len(outputs):
                continue
            key = item.name
            if key is None:
                key, unnamed = f"_{unnamed}", unnamed + 1
            renames.setdefault(key, (outputs[position], item.kind))
    return renames


def sql_lineage(
    sql: str, dialect: str, resolve: Resolve, *, target: DatasetRef | None = None
) -> SqlLineage:
    """Table- and column-level lineage of a SQL model or script (see the module doc)."""
    warnings: list[str] = []
    written: dict[str, _Origins] = {}
    written_names: dict[str, str] = {}
    read: list[str] = []
    read_after_write: set[str] = set()
    statements = split_statements(sql)
    for number, statement in enumerate(statements, start=1):
        meta, error = _parse(statement, dialect)
        if meta is None:
            warnings.append(f"statement {number}: openlineage-sql could not parse it: {error}")
            continue
        ins = [t.qualified_name for t in meta.in_tables]
        outs = [t.qualified_name for t in meta.out_tables]
        functions = {n for n in ins if re.search(rf"(?i)\b{re.escape(n)}\s*\(", statement)}
        for name in ins:
            if name in functions:
                continue  # a table function such as read_parquet('...'), not a dataset
            if name.lower() in written:
                read_after_write.add(name.lower())
            elif name.lower() not in {r.lower() for r in read}:
                read.append(name)
        if outs:
            out = outs[0]
        elif target is not None and number == len(statements):
            out = target.name
        else:
            continue
        renames = _renames(statement)
        origins: _Origins = {}
        for lineage in meta.column_lineage:
            column, kind = renames.get(lineage.descendant.name, (lineage.descendant.name, ""))
            for source in lineage.lineage:
                if source.origin is None or source.origin.qualified_name in functions:
                    continue
                own = kind or (
                    "IDENTITY"
                    if len(lineage.lineage) == 1 and source.name == column
                    else "TRANSFORMATION"
                )
                origins.setdefault(column, []).append(
                    (source.origin.qualified_name, source.name, own)
                )
        branches = select_branches(statement)
        star = bool(branches) and [i.expression for i in branches[0]] == ["*"]
        if not origins and star and len(ins) == 1:
            origins = _star(ins[0], written, resolve)
        # chain through tables written earlier in the script
        chained: _Origins = {}
        for column, sources in origins.items():
            for table, col, kind in sources:
                earlier = written.get(table.lower(), {}).get(col)
                if earlier:
                    chained.setdefault(column, []).extend(
                        (t, c, _combine(k, kind)) for t, c, k in earlier
                    )
                else:
                    chained.setdefault(column, []).append((table, col, kind))
        written[out.lower()] = chained
        written_names[out.lower()] = out
    return _resolved(read, written, written_names, read_after_write, resolve, target, warnings)


def _star(table: str, written: dict[str, _Origins], resolve: Resolve) -> _Origins:
    if table.lower() in written:
        return {c: [(table, c, "IDENTITY")] for c in written[table.lower()]}
    ref = resolve(table)
    return {c.name: [(table, c.name, "IDENTITY")] for c in (ref.columns if ref else ())}


def _resolved(
    read: list[str],
    written: dict[str, _Origins],
    written_names: dict[str, str],
    intermediate: set[str],
    resolve: Resolve,
    target: DatasetRef | None,
    warnings: list[str],
) -> SqlLineage:
    cache: dict[str, DatasetRef | None] = {}

    def ref(name: str) -> DatasetRef | None:
        if name.lower() not in cache:
            found = target if target is not None and name == target.name else resolve(name)
            if found is None:
                warnings.append(f"table {name!r} is not a known dataset; left out of lineage")
            cache[name.lower()] = found
        return cache[name.lower()]

    inputs = tuple(r for r in (ref(n) for n in read) if r is not None)
    outputs: list[DatasetRef] = []
    columns: dict[str, dict[str, tuple[ColumnOrigin, ...]]] = {}
    for key, origins in written.items():
        if key in intermediate:
            continue
        out = ref(written_names[key])
        if out is None:
            continue
        outputs.append(out)
        mapped: dict[str, tuple[ColumnOrigin, ...]] = {}
        for column, sources in sorted(origins.items()):
            found = []
            for table, col, kind in sources:
                source = ref(table)
                if source is not None:
                    found.append(ColumnOrigin(source, col, kind))
            if found:
                mapped[column] = tuple(dict.fromkeys(found))
        if mapped:
            columns[out.key] = mapped
    for warning in warnings:
        log.info("sql lineage: %s", warning)
    return SqlLineage(inputs, tuple(outputs), columns, tuple(warnings))
