"""After the scan: anomaly verdicts from history, and failing-row samples for failures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from checks.anomaly import detect
from checks.families import Family
from checks.families.base import and_all
from checks.result import CheckResult, MetricHistory, Outcome
from checks.scan import Scan
from checks.specs import AnomalyCheck, CheckSpec, DuplicatesCheck
from checks.sqltext import compile_sql, db_message, execute, json_row

HISTORY_LIMIT = 5000


def anomaly_result(
    spec: AnomalyCheck,
    results: Mapping[str, CheckResult],
    dataset: str,
    now: datetime,
    history: MetricHistory | None,
) -> CheckResult:
    """Judge the watched check's value against the band of its earlier values."""
    watched = results[spec.check]
    base = CheckResult(
        dataset=dataset,
        name=spec.check_name,
        type=spec.type,
        column=watched.column,
        severity=spec.severity,
        blocking=spec.block,
        outcome="pass",
        value=watched.value,
        executed_at=now,
        sql=watched.sql,
    )
    if watched.outcome == "error" or watched.value is None:
        return replace(
            base,
            outcome="error",
            message=f"{spec.check!r} has no value to judge: {watched.message}",
        )
    past = history.values(dataset, spec.check, before=now, limit=HISTORY_LIMIT) if history else []
    band, anomalous = detect(watched.value, past, now, spec)
    if band is None:
        have = len(past)
        return replace(
            base,
            outcome="learning",
            message=(
                f"{spec.check} = {watched.value:g}; learning: {have} earlier value(s) in the last "
                f"{spec.window_days} days, {spec.min_history} needed"
            ),
        )
    outcome: Outcome = "pass"
    if anomalous:
        outcome = "warn" if spec.severity == "warn" else "fail"
    verdict = "anomaly" if anomalous else "normal"
    return replace(
        base,
        outcome=outcome,
        expected_low=band.low,
        expected_high=band.high,
        message=f"{spec.check} = {watched.value:g}: {verdict}; {band.describe()}",
    )


def sample_rows(
    conn: sa.Connection,
    result: CheckResult,
    spec: CheckSpec,
    family: Family[Any] | None,
    scan: Scan,
    limit: int,
    queries: list[str],
) -> CheckResult:
    """Up to `limit` failing rows (key and involved columns only) of a failed/warned check."""
    if result.outcome not in ("fail", "warn") or family is None or limit <= 0:
        return result
    predicate = family.failing(spec, scan)
    if predicate is None:
        return result
    names = list(dict.fromkeys([*scan.key_columns, *spec.involved_columns]))
    names = [n for n in names if n in scan.columns]
    if not names:
        return result
    stmt = sa.select(*(scan.table.c[n] for n in names)).select_from(scan.table)
    where = and_all(scan.where, predicate)
    if where is not None:
        stmt = stmt.where(where)
    if isinstance(spec, DuplicatesCheck):
        stmt = stmt.order_by(*(scan.table.c[c] for c in spec.key))
    stmt = stmt.limit(limit)
    sql = compile_sql(stmt, conn.dialect)
    queries.append(sql)
    try:
        found = execute(conn, stmt, scan.dialect.inline_literals)
        rows = [json_row(dict(r)) for r in found.mappings()]
    except sa.exc.DBAPIError as exc:
        conn.rollback()
        return replace(result, message=f"{result.message}; samples failed: {db_message(exc)}")
    full_sql = f"{result.sql}\n;\n-- samples\n{sql}" if result.sql else sql
    return replace(result, samples=rows, sql=full_sql)
