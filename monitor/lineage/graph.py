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

from collections import deque
from collections.abc import Iterable
from dataclasses import replace

import sqlalchemy as sa

from monitor.errors import UsageError
from monitor.lineage.graph_model import (
    DatasetNode,
    Edge,
    LineageGraph,
    LineageStore,
)
from monitor.lineage.graph_store import CACHE_LOCK, cached_store, load_store, store_snapshot

DIRECTIONS = ("both", "upstream", "downstream")
__all__ = [
    "DIRECTIONS",
    "build_graph",
    "cached_store",
    "find_dataset",
    "lineage_graph",
    "load_store",
    "store_snapshot",
]


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
    with CACHE_LOCK:  # the cached nodes change under a refresh: build from a stable view
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
