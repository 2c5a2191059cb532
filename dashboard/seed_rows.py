"""Row generators for the seeded store: check results, lineage events, alerts; bulk insert.

Used by `dashboard.seed`; see there.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from monitor.store.tables_alerts import AlertHistory, AlertState

CHECK_TYPES = [
    ("row_count", None, "< 1", None),
    ("missing_count", "order_id", "> 0", "> 10"),
    ("missing_percent", "email", "> 5", "> 20"),
    ("duplicate_count", "order_id", "> 0", "> 5"),
    ("invalid_count", "status", "> 0", "> 50"),
    ("freshness", "updated_at", "> 7200", "> 86400"),
    ("min", "amount", "< 0", None),
    ("max", "amount", "> 10000", "> 100000"),
    ("avg", "amount", None, None),
    ("anomaly_row_count", None, None, None),
]
REASONS = [
    "cannot parse 'n/a' as a number in column amount",
    "missing required field order_id",
    "invalid date '2026-13-01' in column created_at",
    "status 'shipped?' not in the allowed values",
]


def insert_rows(conn: sa.Connection, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert in the caller's transaction: COPY on PostgreSQL, else one executemany
    of the Core-compiled INSERT with values pre-converted as the store's types would
    (aware datetimes to naive UTC text, JSON to text): 4x faster than through the ORM
    types' bind processors for a million rows.
    """
    if not rows:
        return
    cols = list(rows[0])
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    if conn.dialect.name == "postgresql":
        from psycopg import sql

        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, cols))
        )
        with dbapi.cursor() as cur, cur.copy(copy_sql) as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row([_json(row[c]) for c in cols])
        return
    if conn.dialect.name != "sqlite":
        conn.execute(table.insert(), list(rows))
        return
    compiled = table.insert().values({c: sa.bindparam(c) for c in cols}).compile(conn)
    order = compiled.positiontup or cols
    cursor = dbapi.cursor()
    try:
        cursor.executemany(str(compiled), [tuple(_sqlite(r[c]) for c in order) for r in rows])
    finally:
        cursor.close()


def _json(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _sqlite(value: Any) -> Any:
    if isinstance(value, datetime):  # as UTCDateTime + SQLite's DateTime store it
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return _json(value)


def chunks(rows: Iterable[dict[str, Any]], size: int = 50_000) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ts(conn: sa.Connection, value: datetime | None) -> datetime | None:
    """An aware UTC datetime (the store's UTCDateTime binds it per dialect)."""
    return None if value is None else value.astimezone(UTC)


def check_rows(
    conn: sa.Connection,
    rnd: random.Random,
    run_index: list[tuple[str, str, datetime, str]],
    checks: list[tuple[str, tuple[str, str | None, str | None, str | None]]],
    owner: dict[str, str],
    per_run: int,
    total: int,
    now: datetime,
) -> Iterator[dict[str, Any]]:
    made = 0
    by_pipe: dict[str, list[tuple[str, tuple[str, str | None, str | None, str | None]]]] = {}
    for d, c in checks:
        by_pipe.setdefault(owner.get(d.removesuffix("_stg"), ""), []).append((d, c))
    for run_id, pipe, ended, _state in run_index:
        mine = by_pipe.get(pipe) or checks
        for j in range(per_run):
            if made >= total:
                return
            dataset, (ctype, column, warn, fail) = mine[j % len(mine)]
            newest = ended >= now - timedelta(hours=1) and pipe.startswith("payments")
            base = {"row_count": 1000.0, "freshness": 1800.0, "avg": 120.0, "min": 5.0}
            base |= {"max": 5000.0}
            value = base.get(ctype, 0.0) * rnd.uniform(0.9, 1.1)
            outcome = "pass"
            if ctype == "missing_count" and (newest or rnd.random() < 0.03):
                value, outcome = 14.0, "fail"
            elif ctype == "duplicate_count" and rnd.random() < 0.02:
                value, outcome = 2.0, "warn"
            low = high = None
            if ctype.startswith("anomaly"):
                low, high = 850.0, 1150.0
                value = 1000.0 * rnd.gauss(1.0, 0.05)
                outcome = "pass" if low <= value <= high else "warn"
            samples = None
            if outcome in ("fail", "warn"):
                samples = [
                    {"order_id": None if ctype == "missing_count" else 500 + s, "amount": 10.5 + s}
                    for s in range(3)
                ]
            yield {
                "run_id": run_id,
                "pipeline": pipe,
                "task": "load",
                "dataset": dataset,
                "check_name": f"{ctype}{'_' + column if column else ''}",
                "check_type": ctype,
                "column": column,
                "severity": "error" if fail else "warn",
                "outcome": outcome,
                "value": round(value, 3),
                "warn_threshold": warn,
                "fail_threshold": fail,
                "expected_low": low,
                "expected_high": high,
                "message": f"{ctype} = {value:.1f}",
                "sql": f"SELECT count(*) FROM {dataset}",
                "samples": samples,
                "executed_at": ts(conn, ended - timedelta(seconds=j % 50)),
            }
            made += 1


def lineage_rows(
    conn: sa.Connection,
    plist: list[tuple[str, dict[str, Any] | None, list[str], list[str], list[str]]],
    run_index: list[tuple[str, str, datetime, str]],
    now: datetime,
    every_run: bool = False,
) -> list[dict[str, Any]]:
    """COMPLETE events (per pipeline's newest run, or every run): inputs → outputs."""
    latest: dict[str, tuple[str, datetime]] = {}
    runs: list[tuple[str, str, datetime]] = []
    for run_id, pipe, ended, _ in run_index:
        latest[pipe] = (run_id, ended)
        runs.append((pipe, run_id, ended))
    shape = {p[0]: p for p in plist}
    chosen = runs if every_run else [(p, *latest[p]) for p in shape]
    rows = []
    for name, run_id, ended in chosen:
        _n, _s, _t, ins, outs = shape[name]
        fields = {
            col: {
                "inputFields": [{"namespace": "riverkeeper", "name": i, "field": col} for i in ins]
            }
            for col in ("order_id", "amount")
        }
        event = {
            "eventType": "COMPLETE",
            "eventTime": ended.isoformat(),
            "run": {"runId": run_id},
            "job": {"namespace": "riverkeeper", "name": f"{name}.load"},
            "inputs": [{"namespace": "riverkeeper", "name": i} for i in ins],
            "outputs": [
                {
                    "namespace": "riverkeeper",
                    "name": o,
                    "facets": {"columnLineage": {"fields": fields}},
                }
                for o in outs
            ],
        }
        rows.append(
            {
                "run_id": run_id,
                "event_type": "COMPLETE",
                "event_time": ts(conn, ended),
                "job_namespace": "riverkeeper",
                "job_name": f"{name}.load",
                "payload": json.dumps(event),
                "created_at": ts(conn, ended),
                "delivered_at": ts(conn, now),
                "attempts": 1,
                "last_error": None,
            }
        )
    return rows


def alerts(
    conn: sa.Connection,
    rnd: random.Random,
    plist: list[tuple[str, dict[str, Any] | None, list[str], list[str], list[str]]],
    history: int,
    now: datetime,
) -> None:
    def t(value: datetime | None) -> datetime | None:
        return ts(conn, value)

    states = [
        ("PipelineStale", plist[2 % len(plist)][0], "firing", "critical"),
        ("CheckFailed", plist[3 % len(plist)][0], "firing", "warning"),
        ("ErrorRateHigh", plist[1 % len(plist)][0], "pending", "warning"),
        ("PipelineStale", plist[0][0], "resolved", "critical"),
    ]
    rows = []
    for i, (rule, pipe, state, sev) in enumerate(states):
        rows.append(
            {
                "rule": rule,
                "fingerprint": f"{i:032x}",
                "labels": {"alertname": rule, "pipeline": pipe, "severity": sev},
                "annotations": {"summary": f"{rule} on {pipe}"},
                "severity": sev,
                "state": state,
                "value": 1.0 + i,
                "active_at": t(now - timedelta(minutes=40 + i)),
                "fired_at": t(now - timedelta(minutes=35 + i)) if state != "pending" else None,
                "resolved_at": t(now - timedelta(minutes=5)) if state == "resolved" else None,
                "updated_at": t(now),
            }
        )
    insert_rows(conn, AlertState.__table__, rows)
    hist = []
    events = ["pending", "firing", "notified", "resolved"]
    for i in range(history):
        rule, pipe, _, sev = states[i % len(states)]
        hist.append(
            {
                "at": t(now - timedelta(minutes=5 * (history - i))),
                "rule": rule,
                "fingerprint": f"{i % len(states):032x}",
                "event": events[i % len(events)],
                "severity": sev,
                "labels": {"alertname": rule, "pipeline": pipe},
                "value": rnd.uniform(0, 5),
                "channel": "slack" if events[i % len(events)] == "notified" else None,
                "message": f"{rule} on {pipe}",
            }
        )
    insert_rows(conn, AlertHistory.__table__, hist)
