"""Stored OpenLineage events folded into nodes and edges, and a per-store cache.

Events are applied in outbox order; a late event (an older run finishing
after a newer one) never replaces the latest run or check of a node.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from monitor.lineage.graph_model import (
    ColumnEdge,
    DatasetNode,
    Edge,
    JobNode,
    LineageStore,
    RunSummary,
    dataset_id,
    job_id,
)
from monitor.lineage.tables import outbox

_TERMINAL = ("COMPLETE", "FAIL", "ABORT")


def _newer(current: RunSummary | None, at: str) -> bool:
    """Whether an event at `at` is at least as new as `current` (events may come late)."""
    if current is None:
        return True
    try:
        return datetime.fromisoformat(at) >= datetime.fromisoformat(current.at)
    except ValueError:
        return True


def _dataset(store: LineageStore, data: dict[str, Any]) -> DatasetNode:
    node_id = dataset_id(data["namespace"], data["name"])
    node = store.datasets.get(node_id)
    if node is None:
        node = store.datasets[node_id] = DatasetNode(data["namespace"], data["name"])
    facets = data.get("facets") or {}
    fields = (facets.get("schema") or {}).get("fields")
    if fields:
        node.fields = [(f["name"], f.get("type", "")) for f in fields]
    for alias in (facets.get("symlinks") or {}).get("identifiers") or []:
        if alias["name"] not in node.aliases:
            node.aliases.append(alias["name"])
    return node


def _record_quality(node: DatasetNode, data: dict[str, Any], at: str, run_id: str) -> None:
    assertions = ((data.get("inputFacets") or {}).get("dataQualityAssertions") or {}).get(
        "assertions"
    )
    for a in assertions or []:
        key = a.get("name") or f"{a['assertion']}:{a.get('column') or ''}"
        known = node.checks.get(key)
        if known is not None and not _newer(RunSummary("", "", str(known["at"])), at):
            continue
        outcome = (a.get("params") or {}).get("outcome") or ("pass" if a["success"] else "fail")
        node.checks[key] = {
            "check": key,
            "type": a["assertion"],
            "column": a.get("column"),
            "outcome": outcome,
            "severity": a.get("severity"),
            "actual": a.get("actual"),
            "expected": a.get("expected"),
            "at": at,
            "run_id": run_id,
        }


def _add_event(store: LineageStore, event: dict[str, Any]) -> None:
    job = event["job"]
    jid = job_id(job["namespace"], job["name"])
    run = event["run"]
    parent = ((run.get("facets") or {}).get("parent") or {}).get("job") or {}
    summary = RunSummary(
        run_id=run["runId"],
        state=event.get("eventType") or "OTHER",
        at=event["eventTime"],
        error=((run.get("facets") or {}).get("errorMessage") or {}).get("message"),
    )
    node = store.jobs.get(jid)
    if node is None:
        node = store.jobs[jid] = JobNode(job["namespace"], job["name"], parent.get("name"))
    if _newer(node.latest_run, summary.at):
        node.latest_run = summary
    if summary.state not in _TERMINAL:
        return
    outputs = [_dataset(store, d) for d in event.get("outputs") or []]
    written = {o.id for o in outputs}
    for data in event.get("inputs") or []:
        ds = _dataset(store, data)
        _record_quality(ds, data, summary.at, summary.run_id)
        if ds.id not in written:  # a job that checks what it wrote is not its own input
            store.edges.add(Edge(ds.id, jid))
    for ds, data in zip(outputs, event.get("outputs") or [], strict=True):
        store.edges.add(Edge(jid, ds.id))
        rows = ((data.get("outputFacets") or {}).get("outputStatistics") or {}).get("rowCount")
        if _newer(ds.latest_run, summary.at):
            ds.latest_run = RunSummary(
                summary.run_id, summary.state, summary.at, summary.error, jid
            )
            if summary.state == "COMPLETE" and rows is not None:
                ds.row_count = rows
        lineage = ((data.get("facets") or {}).get("columnLineage") or {}).get("fields") or {}
        for column, spec in lineage.items():
            for source in spec.get("inputFields") or []:
                transformations = source.get("transformations") or [{}]
                store.columns.add(
                    ColumnEdge(
                        dataset_id(source["namespace"], source["name"]),
                        source["field"],
                        ds.id,
                        column,
                        transformations[0].get("type", ""),
                        transformations[0].get("subtype", ""),
                        jid,
                    )
                )


def load_store(engine: sa.Engine) -> LineageStore:
    """Every stored run event folded into nodes and edges (in outbox order)."""
    store = LineageStore()
    _load_into(store, engine, 0, set())
    return store


def _load_into(store: LineageStore, engine: sa.Engine, after: int, applied: set[int]) -> int:
    query = (
        sa.select(outbox.c.id, outbox.c.payload)
        .where(outbox.c.id > after, outbox.c.event_type.in_([*_TERMINAL, "START", "RUNNING"]))
        .order_by(outbox.c.id)
    )
    last = after
    with engine.connect() as conn:
        for event_id, payload in conn.execute(query):
            if event_id not in applied:
                _add_event(store, json.loads(payload))
                applied.add(event_id)
            last = max(last, event_id)
    return last


@dataclass
class _Cached:
    store: LineageStore = field(default_factory=LineageStore)
    last: int = 0
    applied: set[int] = field(default_factory=set)  # ids in the re-read window


_CACHE: dict[str, _Cached] = {}
CACHE_LOCK = threading.Lock()
# Ids are handed out before commit: on PostgreSQL a lower id can become visible after a
# higher one. Each refresh re-reads this many ids back and skips those already applied.
_REREAD = 1000


def cached_store(engine: sa.Engine) -> LineageStore:
    """The folded events, kept per store URL and extended with new events on each call."""
    key = engine.url.render_as_string(hide_password=False)
    with CACHE_LOCK:
        cached = _CACHE.setdefault(key, _Cached())
        with engine.connect() as conn:
            newest = conn.execute(sa.select(sa.func.max(outbox.c.id))).scalar() or 0
        if newest < cached.last:  # the store was emptied or replaced: start over
            cached = _CACHE[key] = _Cached()
        after = max(0, cached.last - _REREAD)
        cached.last = _load_into(cached.store, engine, after, cached.applied)
        cached.applied = {i for i in cached.applied if i > cached.last - _REREAD}
        return cached.store


def store_snapshot(engine: sa.Engine) -> LineageStore:
    """`cached_store(engine)` brought up to date and copied, for readers in other threads
    (the dashboard's sessions) that must not see it change under them."""
    store = cached_store(engine)
    with CACHE_LOCK:
        return store.snapshot()
