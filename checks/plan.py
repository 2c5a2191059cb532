"""Planning a suite (pure): the scan context, each family's plan, and the labelled
aggregates grouped into the statements the engine will run. `explain_suite`
compiles them without a database (golden files, a dry run)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from checks.dialects import dialect_of
from checks.errors import CheckConfigError
from checks.families import FAMILIES, Family, Plan
from checks.scan import Column, Scan, TableRef, type_family, user_condition
from checks.specs import AnomalyCheck, CheckSpec
from checks.sqltext import compile_sql


@dataclass
class State:
    spec: CheckSpec
    family: Family[Any]
    plan: Plan = field(default_factory=Plan)
    labels: dict[str, str] = field(default_factory=dict)
    measured: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    sql: list[str] = field(default_factory=list)


def resolver(
    dataset: str, others: Mapping[str, object], same: object = None
) -> Callable[[str], TableRef]:
    own = dataset.split(".", 1)[0] if "." in dataset else None

    def resolve(name: str) -> TableRef:
        head, _, rest = name.partition(".")
        conn = ""
        if rest and (head == own or head in others):
            conn = "" if head == own or (same is not None and others.get(head) is same) else head
            name = rest
        schema, _, table = name.rpartition(".")
        return TableRef(conn, schema or None, table)

    return resolve


def where_clause(
    columns: Mapping[str, Column],
    table: sa.TableClause,
    dataset: str,
    filter: str | None,
    interval: tuple[datetime, datetime] | None,
    interval_column: str | None,
) -> Any:
    conds = [user_condition(filter)] if filter else []
    if interval is not None and interval_column is not None:
        if interval_column not in columns:
            raise CheckConfigError(
                f"interval column {interval_column!r} does not exist in {dataset}"
            )
        col = table.c[interval_column]
        start, end = interval
        if not getattr(columns[interval_column].type, "timezone", False):
            start, end = _naive_utc(start), _naive_utc(end)
        conds += [col >= start, col < end]
    return sa.and_(*conds) if conds else None


def _naive_utc(t: datetime) -> datetime:
    return t if t.tzinfo is None else t.astimezone(UTC).replace(tzinfo=None)


def build_scan(
    *,
    dataset: str,
    table: str,
    schema: str | None,
    columns: Mapping[str, Column],
    dialect: sa.engine.Dialect,
    now: datetime,
    key_columns: Sequence[str] = (),
    filter: str | None = None,
    interval: tuple[datetime, datetime] | None = None,
    interval_column: str | None = None,
    resolve: Callable[[str], TableRef] | None = None,
) -> Scan:
    """The scan context; raises CheckConfigError for a bad key or interval column."""
    clause = sa.table(table, *(sa.column(n, c.type) for n, c in columns.items()), schema=schema)
    where = where_clause(columns, clause, dataset, filter, interval, interval_column)
    missing_keys = [k for k in key_columns if k not in columns]
    if missing_keys:
        raise CheckConfigError(f"key column {missing_keys[0]!r} does not exist in {dataset}")
    return Scan(
        dataset,
        clause,
        columns,
        dialect_of(dialect),
        where,
        now,
        tuple(key_columns),
        resolve or resolver(dataset, {}),
    )


def plan_states(specs: Sequence[CheckSpec], scan: Scan) -> list[State]:
    """Each check's plan; a check that cannot run as written carries its error."""
    states = [State(s, FAMILIES[s.type]) for s in specs if not isinstance(s, AnomalyCheck)]
    for st in states:
        try:
            st.plan = st.family.plan(st.spec, scan)
        except CheckConfigError as exc:
            st.error = str(exc)
    return states


def select_of(scan: Scan, labelled: Mapping[str, Any]) -> sa.Select[Any]:
    stmt = sa.select(*(expr.label(lbl) for lbl, expr in labelled.items())).select_from(scan.table)
    return stmt.where(scan.where) if scan.where is not None else stmt


def _from_where(scan: Scan, dialect: sa.engine.Dialect) -> str:
    """What follows the columns (FROM and WHERE) exactly as SQLAlchemy renders it."""
    head = "SELECT 1 AS one"
    text = compile_sql(select_of(scan, {"one": sa.literal_column("1")}), dialect)
    assert text.startswith(head), text
    return text[len(head) :]


def group_aggregates(
    states: list[State], scan: Scan, dialect: sa.engine.Dialect
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every aggregate of every check, deduplicated by its SQL, in ONE select, with
    COUNT DISTINCT in a second one where the dialect runs that faster. Returns the
    non-empty groups (label -> expression) and all expressions by label."""
    by_sql: dict[str, str] = {}
    key_of: dict[str, str] = {}
    exprs: dict[str, Any] = {}
    groups: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    tail = _from_where(scan, dialect)
    for st in (s for s in states if s.error is None):
        for local, expr in st.plan.aggregates.items():
            key = compile_sql(expr, dialect)
            if key not in by_sql:
                by_sql[key] = label = f"m{len(by_sql)}"
                key_of[label], exprs[label] = key, expr
                split = scan.dialect.split_distinct and local in st.plan.distinct
                groups[1 if split else 0][label] = expr
            st.labels[local] = by_sql[key]
        if st.labels:  # the check's own statement, from the pieces already compiled
            own = dict.fromkeys(st.labels.values())
            st.sql.append("SELECT " + ", ".join(f"{key_of[lbl]} AS {lbl}" for lbl in own) + tail)
    return [g for g in groups if g], exprs


def explain_suite(
    specs: Sequence[CheckSpec],
    *,
    dataset: str,
    table: str,
    columns: Mapping[str, sa.types.TypeEngine[Any]],
    dialect: sa.engine.Dialect,
    now: datetime,
    schema: str | None = None,
    other_connections: Sequence[str] = (),
    **scan_options: Any,
) -> list[str]:
    """The aggregate statements and the per-check extra statements, compiled for
    `dialect` with values inlined, without touching a database."""
    cols = {n: Column(n, t, type_family(t)) for n, t in columns.items()}
    scan = build_scan(
        dataset=dataset,
        table=table,
        schema=schema,
        columns=cols,
        dialect=dialect,
        now=now,
        resolve=resolver(dataset, dict.fromkeys(other_connections)),
        **scan_options,
    )
    states = plan_states(specs, scan)
    errors = [f"{s.spec.check_name}: {s.error}" for s in states if s.error]
    if errors:
        raise CheckConfigError("; ".join(errors))
    groups, _ = group_aggregates(states, scan, dialect)
    out = [compile_sql(select_of(scan, g), dialect) for g in groups]
    for st in states:
        for extra in st.plan.extras:
            stmt = extra.statement
            out.append(stmt if isinstance(stmt, str) else compile_sql(stmt, dialect))
    return out
