"""The lineage graph, read from the stored OpenLineage events (the outbox).

`lineage_graph(engine, "warehouse.daily_sales_summary", direction="upstream")`
returns the datasets and jobs reachable from a dataset, at table level, or at
column level with `column=`; each dataset carries its schema, the latest run
that wrote it and its quality status (from the latest check of each kind),
each job its latest run. Edges are the union over all stored runs, so a job
whose outputs change from run to run keeps all of them. The dashboard calls
this; `riverkeeper lineage` prints it.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from monitor.errors import UsageError
from monitor.lineage.graph_model import (
    ColumnEdge,
    DatasetNode,
    Edge,
    JobNode,
    LineageGraph,
    LineageStore,
    RunSummary,
    dataset_id,
    job_id,
)
from monitor.lineage.tables import outbox

_TERMINAL = ("COMPLETE", "FAIL", "ABORT")
DIRECTIONS = ("both", "upstream", "downstream")


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
_CACHE_LOCK = threading.Lock()
# Ids are handed out before commit: on PostgreSQL a lower id can become visible after a
# higher one. Each refresh re-reads this many ids back and skips those already applied.
_REREAD = 1000


def cached_store(engine: sa.Engine) -> LineageStore:
    """The folded events, kept per store URL and extended with new events on each call."""
    key = engine.url.render_as_string(hide_password=False)
    with _CACHE_LOCK:
        cached = _CACHE.setdefault(key, _Cached())
        with engine.connect() as conn:
            newest = conn.execute(sa.select(sa.func.max(outbox.c.id))).scalar() or 0
        if newest < cached.last:  # the store was emptied or replaced: start over
            cached = _CACHE[key] = _Cached()
        after = max(0, cached.last - _REREAD)
        cached.last = _load_into(cached.store, engine, after, cached.applied)
        cached.applied = {i for i in cached.applied if i > cached.last - _REREAD}
        return cached.store


def find_dataset(store: LineageStore, text: str) -> DatasetNode:
    """The dataset a person means: `connection.table`, `namespace/name`, a name or a table."""
    nodes = list(store.datasets.values())
    for match in (
        lambda n: text in (n.id, f"{n.namespace}/{n.name}"),
        lambda n: text in n.aliases or text == n.name,
        lambda n: (
            any(a.split(".", 1)[-1] == text for a in n.aliases)
            or n.name.rsplit(".", 1)[-1] == text
            or n.name.rsplit("/", 1)[-1] == text
        ),
    ):
        found = [n for n in nodes if match(n)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(sorted(n.label for n in found))
            raise UsageError(f"dataset {text!r} is ambiguous; it matches: {names}")
    known = ", ".join(sorted(n.label for n in nodes)[:20]) or "(no lineage recorded yet)"
    raise UsageError(f"no dataset {text!r} in the lineage store; known: {known}")


def _neighbours(store: LineageStore, node: str, upstream: bool) -> Iterable[str]:
    if upstream:
        return [e.source for e in store.edges if e.target == node]
    return [e.target for e in store.edges if e.source == node]


def lineage_graph(
    engine: sa.Engine,
    dataset: str,
    *,
    direction: str = "both",
    depth: int = 10,
    column: str | None = None,
) -> LineageGraph:
    """Datasets and jobs up to `depth` dataset hops up- and/or downstream of `dataset`.

    Raises UsageError for an unknown or ambiguous dataset, an unknown column or
    direction, or a negative depth.
    """
    if direction not in DIRECTIONS:
        raise UsageError(f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}")
    if depth < 0:
        raise UsageError(f"depth must be 0 or more, not {depth}")
    store = cached_store(engine)
    with _CACHE_LOCK:  # the cached nodes change under a refresh: build from a stable view
        return build_graph(store, dataset, direction=direction, depth=depth, column=column)


def build_graph(
    store: LineageStore, dataset: str, *, direction: str, depth: int, column: str | None
) -> LineageGraph:
    root = find_dataset(store, dataset)
    graph = LineageGraph(root.id, direction, depth, column)
    graph.datasets[root.id] = root.at(0)
    ways = [True, False] if direction == "both" else [direction == "upstream"]
    if column is not None:
        _walk_columns(store, graph, root, column, ways)
        return graph
    for upstream in ways:
        sign = -1 if upstream else 1
        queue: deque[tuple[str, int]] = deque([(root.id, 0)])
        seen = {root.id}
        while queue:
            node, hops = queue.popleft()
            if hops >= depth:
                continue
            for job in _neighbours(store, node, upstream):
                graph.jobs.setdefault(job, replace(store.jobs[job]))
                graph.edges.add(Edge(job, node) if upstream else Edge(node, job))
                for other in _neighbours(store, job, upstream):
                    graph.edges.add(Edge(other, job) if upstream else Edge(job, other))
                    if other not in seen:
                        seen.add(other)
                        graph.datasets.setdefault(
                            other, store.datasets[other].at(sign * (hops + 1))
                        )
                        queue.append((other, hops + 1))
    graph.columns = {
        c for c in store.columns if c.source in graph.datasets and c.target in graph.datasets
    }
    return graph


def _walk_columns(
    store: LineageStore, graph: LineageGraph, root: DatasetNode, column: str, ways: list[bool]
) -> None:
    known = (
        {c for _, c in (root.fields or [])}
        | {e.target_column for e in store.columns if e.target == root.id}
        | {e.source_column for e in store.columns if e.source == root.id}
    )
    if column not in known:
        raise UsageError(
            f"dataset {root.label} has no column {column!r}; known: {', '.join(sorted(known))}"
        )
    for upstream in ways:
        sign = -1 if upstream else 1
        queue: deque[tuple[str, str, int]] = deque([(root.id, column, 0)])
        seen = {(root.id, column)}
        while queue:
            ds, col, hops = queue.popleft()
            if hops >= graph.depth:
                continue
            for e in store.columns:
                here = (e.target, e.target_column) if upstream else (e.source, e.source_column)
                there = (e.source, e.source_column) if upstream else (e.target, e.target_column)
                if here != (ds, col):
                    continue
                graph.columns.add(e)
                graph.jobs.setdefault(e.job, replace(store.jobs[e.job]))
                graph.edges.add(Edge(e.source, e.job))
                graph.edges.add(Edge(e.job, e.target))
                if there[0] in store.datasets:
                    graph.datasets.setdefault(
                        there[0], store.datasets[there[0]].at(sign * (hops + 1))
                    )
                if there not in seen:
                    seen.add(there)
                    queue.append((there[0], there[1], hops + 1))
