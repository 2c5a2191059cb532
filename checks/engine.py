"""Run a suite of checks on one table: one aggregate scan, then samples for failures only.

Statements issued per suite: one catalog read, one aggregate SELECT (every
metric of every check, for one filter; on DuckDB and PostgreSQL the COUNT
DISTINCTs in a second one, which PostgreSQL runs at the same time on a second
connection of the engine's pool: both measured faster), one statement per `query` metric
and per other side of a reconciliation, and one sample query per check that
warned or failed.
If the aggregate SELECT fails (a bad user expression), each check's metrics are
run alone, so only the broken check reports the error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from checks.catalog import read_columns
from checks.dialects import dialect_of, prepare_sqlite
from checks.errors import CheckConfigError
from checks.evaluate import evaluate
from checks.families import FAMILIES
from checks.plan import State, build_scan, group_aggregates, plan_states, resolver, select_of
from checks.post import anomaly_result, sample_rows
from checks.result import CheckResult, MetricHistory, SuiteRun
from checks.scan import Scan
from checks.specs import AnomalyCheck, CheckSpec, SchemaCheck, validate_suite
from checks.sqltext import compile_sql, db_message, execute, literal_sql


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
        try:
            scan = build_scan(
                dataset=dataset,
                table=table,
                schema=schema,
                columns=columns,
                dialect=engine.dialect,
                now=now,
                key_columns=key_columns,
                filter=filter,
                interval=interval,
                interval_column=interval_column,
                resolve=resolver(dataset, others, engine),
            )
        except CheckConfigError as exc:
            return SuiteRun([_error(s, dataset, now, str(exc)) for s in specs], tuple(queries))
        states = plan_states(specs, scan)
        _scan(conn, states, scan, engine, queries)
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


def _scan(
    conn: sa.Connection,
    states: list[State],
    scan: Scan,
    engine: sa.Engine,
    queries: list[str],
) -> None:
    """Run the grouped aggregates; if that fails, each check's alone to isolate the error."""
    groups, exprs = group_aggregates(states, scan, engine.dialect)
    stmts = [select_of(scan, group) for group in groups]
    texts = [literal_sql(stmt, engine.dialect) for stmt in stmts]  # compiled once, run as is
    queries.extend(t or compile_sql(s, engine.dialect) for t, s in zip(texts, stmts, strict=True))
    row: dict[str, Any] = {}
    try:
        row.update(_run_groups(conn, engine, list(zip(stmts, texts, strict=True)), scan))
    except sa.exc.DBAPIError:
        conn.rollback()
        for st in (s for s in states if s.labels and s.error is None):
            own = {lbl: exprs[lbl] for lbl in st.labels.values()}
            queries.append(st.sql[0])
            try:
                result = execute(conn, select_of(scan, own), scan.dialect.inline_literals)
                row.update(result.mappings().one())
            except sa.exc.DBAPIError as exc:
                conn.rollback()
                st.error = f"the check's SQL failed on {scan.dataset}: {db_message(exc)}"
    for st in states:
        if st.error is None:
            st.measured.update({local: row[lbl] for local, lbl in st.labels.items()})


def _run_groups(
    conn: sa.Connection,
    engine: sa.Engine,
    stmts: list[tuple[sa.Select[Any], str | None]],
    scan: Scan,
) -> dict[str, Any]:
    """The statements' one-row results merged; where the dialect gains from it, the
    second and later run at the same time as the first, each on its own connection."""
    inline = scan.dialect.inline_literals

    def one(c: sa.Connection, stmt: sa.Select[Any], text: str | None) -> dict[str, Any]:
        result = c.exec_driver_sql(text) if inline and text else c.execute(stmt)
        return dict(result.mappings().one())

    def apart(stmt: sa.Select[Any], text: str | None) -> dict[str, Any]:
        with engine.connect() as other:
            return one(other, stmt, text)

    row: dict[str, Any] = {}
    if len(stmts) < 2 or not (scan.dialect.concurrent_groups and _pooled(engine)):
        for stmt, text in stmts:
            row.update(one(conn, stmt, text))
        return row
    with ThreadPoolExecutor(len(stmts) - 1, thread_name_prefix="checks-scan") as pool:
        others = [pool.submit(apart, stmt, text) for stmt, text in stmts[1:]]
        try:
            row.update(one(conn, *stmts[0]))
        finally:
            for future in others:
                row.update(future.result())
    return row


def _pooled(engine: sa.Engine) -> bool:
    """Whether a second connection is a separate session on the same data (not an
    in-memory database, not one shared connection)."""
    if isinstance(engine.pool, sa.pool.StaticPool | sa.pool.SingletonThreadPool):
        return False
    if engine.dialect.name in ("duckdb", "sqlite"):
        return engine.url.database not in (None, "", ":memory:")
    return True


def _extras(
    conn: sa.Connection,
    states: list[State],
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


def _result(st: State, scan: Scan) -> CheckResult:
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
