"""Run a suite of checks on one table: one aggregate scan, then samples for failures only.

Statements issued per suite: one catalog read, one aggregate SELECT (every
metric of every check, for one filter), one statement per `query` metric and
per other side of a reconciliation, and one sample query per failed check.
If the aggregate SELECT fails (a bad user expression), each check's metrics are
run alone, so only the broken check reports the error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from checks.catalog import read_columns
from checks.dialects import dialect_of, prepare_sqlite
from checks.errors import CheckConfigError
from checks.evaluate import evaluate
from checks.families import FAMILIES, Family, Plan
from checks.post import anomaly_result, sample_rows
from checks.result import CheckResult, MetricHistory, SuiteRun
from checks.scan import Column, Scan, TableRef, user_condition
from checks.specs import AnomalyCheck, CheckSpec, SchemaCheck, validate_suite
from checks.sqltext import compile_sql, db_message


@dataclass
class _State:
    spec: CheckSpec
    family: Family[Any]
    plan: Plan = field(default_factory=Plan)
    labels: dict[str, str] = field(default_factory=dict)
    measured: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    sql: list[str] = field(default_factory=list)


def _resolver(dataset: str, other_engines: Mapping[str, sa.Engine], engine: sa.Engine) -> Any:
    own = dataset.split(".", 1)[0] if "." in dataset else None

    def resolve(name: str) -> TableRef:
        head, _, rest = name.partition(".")
        conn = ""
        if rest and (head == own or head in other_engines):
            conn = "" if head == own or other_engines.get(head) is engine else head
            name = rest
        schema, _, table = name.rpartition(".")
        return TableRef(conn, schema or None, table)

    return resolve


def _where(
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


def run_suite(
    engine: sa.Engine,
    table: str,
    specs: Sequence[CheckSpec],
    *,
    dataset: str,
    now: datetime,
    schema: str | None = None,
    key_columns: Sequence[str] = (),
    filter: str | None = None,
    interval: tuple[datetime, datetime] | None = None,
    interval_column: str | None = None,
    history: MetricHistory | None = None,
    other_engines: Mapping[str, sa.Engine] | None = None,
    samples_limit: int = 10,
) -> SuiteRun:
    """Run `specs` on `table`; see the module docstring for the statements issued."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    try:
        validate_suite(list(specs))
    except ValueError as exc:
        raise CheckConfigError(f"{dataset}: {exc}") from None
    others = dict(other_engines or {})
    queries: list[str] = []
    d = dialect_of(engine)
    with engine.connect() as conn:
        if d.name == "sqlite":
            prepare_sqlite(conn.connection.dbapi_connection)
        queries.append(f"-- catalog: columns of {schema + '.' if schema else ''}{table}")
        try:
            columns = read_columns(conn, table, schema)
        except sa.exc.NoSuchTableError:
            msg = f"table {table!r} does not exist in {dataset}"
            return SuiteRun([_error(s, dataset, now, msg) for s in specs], tuple(queries))
        clause = sa.table(table, *(sa.column(n, c.type) for n, c in columns.items()), schema=schema)
        try:
            where = _where(columns, clause, dataset, filter, interval, interval_column)
            missing_keys = [k for k in key_columns if k not in columns]
            if missing_keys:
                raise CheckConfigError(
                    f"key column {missing_keys[0]!r} does not exist in {dataset}"
                )
        except CheckConfigError as exc:
            return SuiteRun([_error(s, dataset, now, str(exc)) for s in specs], tuple(queries))
        scan = Scan(
            dataset,
            clause,
            columns,
            d,
            where,
            now,
            tuple(key_columns),
            _resolver(dataset, others, engine),
        )
        states = [_State(s, FAMILIES[s.type]) for s in specs if not isinstance(s, AnomalyCheck)]
        _plan(states, scan, engine.dialect)
        _scan(conn, states, scan, engine.dialect, queries)
        _extras(conn, states, others, engine.dialect, queries)
        results: dict[str, CheckResult] = {}
        for st in states:
            if isinstance(st.spec, SchemaCheck) and history is not None:
                st.measured["previous"] = history.last_samples(
                    dataset, st.spec.check_name, before=now
                )
            results[st.spec.check_name] = _result(st, scan)
        for spec in specs:
            if isinstance(spec, AnomalyCheck):
                results[spec.check_name] = anomaly_result(spec, results, dataset, now, history)
        final = [results[s.check_name] for s in specs]
        final = [
            sample_rows(conn, r, spec, FAMILIES.get(spec.type), scan, samples_limit, queries)
            for r, spec in zip(final, specs, strict=True)
        ]
    return SuiteRun(final, tuple(queries))


def run_checks(
    engine: sa.Engine, table: str, specs: Sequence[CheckSpec], **kwargs: Any
) -> list[CheckResult]:
    """`run_suite(...)`'s results (same arguments)."""
    return run_suite(engine, table, specs, **kwargs).results


def _plan(states: list[_State], scan: Scan, dialect: sa.engine.Dialect) -> None:
    for st in states:
        try:
            st.plan = st.family.plan(st.spec, scan)
        except CheckConfigError as exc:
            st.error = str(exc)


def _select(scan: Scan, labelled: Mapping[str, Any]) -> sa.Select[Any]:
    stmt = sa.select(*(expr.label(lbl) for lbl, expr in labelled.items())).select_from(scan.table)
    return stmt.where(scan.where) if scan.where is not None else stmt


def _scan(
    conn: sa.Connection,
    states: list[_State],
    scan: Scan,
    dialect: sa.engine.Dialect,
    queries: list[str],
) -> None:
    """Every aggregate of every check in ONE select (deduplicated by their SQL), with
    COUNT DISTINCT in a second one where the dialect runs that faster."""
    by_sql: dict[str, str] = {}
    exprs: dict[str, Any] = {}
    groups: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    for st in (s for s in states if s.error is None):
        for local, expr in st.plan.aggregates.items():
            key = compile_sql(expr, dialect)
            if key not in by_sql:
                by_sql[key] = label = f"m{len(by_sql)}"
                exprs[label] = expr
                split = scan.dialect.split_distinct and local in st.plan.distinct
                groups[1 if split else 0][label] = expr
            st.labels[local] = by_sql[key]
        if st.labels:
            own = {lbl: exprs[lbl] for lbl in st.labels.values()}
            st.sql.append(compile_sql(_select(scan, own), dialect))
    row: dict[str, Any] = {}
    try:
        for group in (g for g in groups if g):
            stmt = _select(scan, group)
            queries.append(compile_sql(stmt, dialect))
            row.update(conn.execute(stmt).mappings().one())
    except sa.exc.DBAPIError:
        conn.rollback()
        for st in (s for s in states if s.labels and s.error is None):
            own = {lbl: exprs[lbl] for lbl in st.labels.values()}
            queries.append(st.sql[0])
            try:
                row.update(conn.execute(_select(scan, own)).mappings().one())
            except sa.exc.DBAPIError as exc:
                conn.rollback()
                st.error = f"the check's SQL failed on {scan.dataset}: {db_message(exc)}"
    for st in states:
        if st.error is None:
            st.measured.update({local: row[lbl] for local, lbl in st.labels.items()})


def _extras(
    conn: sa.Connection,
    states: list[_State],
    others: Mapping[str, sa.Engine],
    dialect: sa.engine.Dialect,
    queries: list[str],
) -> None:
    for st in (s for s in states if s.error is None):
        for extra in st.plan.extras:
            stmt: Any = extra.statement
            if isinstance(stmt, str):
                stmt = sa.text(stmt.replace(":", "\\:"))
            try:
                if extra.connection:
                    if extra.connection not in others:
                        known = ", ".join(sorted(others)) or "(none)"
                        raise CheckConfigError(
                            f"connection {extra.connection!r} is not available to this check; "
                            f"known: {known}"
                        )
                    with others[extra.connection].connect() as oc:
                        sql = compile_sql(stmt, oc.dialect)
                        value = oc.execute(stmt).scalar()
                else:
                    sql = compile_sql(stmt, dialect)
                    value = conn.execute(stmt).scalar()
            except CheckConfigError as exc:
                st.error = str(exc)
                break
            except sa.exc.DBAPIError as exc:
                if not extra.connection:
                    conn.rollback()
                where = f"connection {extra.connection!r}" if extra.connection else "its dataset"
                st.error = f"the check's SQL failed on {where}: {db_message(exc)}"
                break
            queries.append(sql)
            st.sql.append(sql)
            st.measured[extra.label] = value


def _result(st: _State, scan: Scan) -> CheckResult:
    spec = st.spec
    if st.error is None:
        try:
            m = st.family.measure(spec, st.measured, scan)
            v = evaluate(spec, m)
        except CheckConfigError as exc:
            st.error = str(exc)
    if st.error is not None:
        return _error(
            spec,
            scan.dataset,
            scan.now,
            st.error,
            st.family.column(spec),
            "\n;\n".join(st.sql) or None,
        )
    return CheckResult(
        dataset=scan.dataset,
        name=spec.check_name,
        type=spec.type,
        column=st.family.column(spec),
        severity=spec.severity,
        blocking=spec.block,
        outcome=v.outcome,
        value=v.value,
        executed_at=scan.now,
        warn_threshold=str(spec.warn) if spec.warn else None,
        fail_threshold=str(spec.fail_threshold) if spec.fail_threshold else None,
        message=v.message,
        sql="\n;\n".join(st.sql) or None,
        samples=m.samples or [],
    )


def _error(
    spec: CheckSpec,
    dataset: str,
    now: datetime,
    message: str,
    column: str | None = None,
    sql: str | None = None,
) -> CheckResult:
    return CheckResult(
        dataset=dataset,
        name=spec.check_name,
        type=spec.type,
        column=column if column is not None else getattr(spec, "column", None),
        severity=spec.severity,
        blocking=spec.block,
        outcome="error",
        value=None,
        executed_at=now,
        message=message,
        sql=sql,
        warn_threshold=str(spec.warn) if spec.warn else None,
        fail_threshold=str(spec.fail_threshold) if spec.fail_threshold else None,
    )
