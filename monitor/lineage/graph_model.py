"""The values of the lineage graph: nodes, edges, and the graph as JSON or text.

Node ids follow Marquez: `dataset:<namespace>:<name>`, `job:<namespace>:<name>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

_RANK = {"pass": 0, "warn": 1, "error": 2, "fail": 3}


def dataset_id(namespace: str, name: str) -> str:
    return f"dataset:{namespace}:{name}"


def job_id(namespace: str, name: str) -> str:
    return f"job:{namespace}:{name}"


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    state: str  # START | RUNNING | COMPLETE | FAIL | ABORT
    at: str  # the event time, ISO 8601 with offset
    error: str | None = None
    job: str | None = None  # on a dataset: the job that wrote it

    def to_dict(self) -> dict[str, Any]:
        data = {"run_id": self.run_id, "state": self.state, "at": self.at, "error": self.error}
        if self.job:
            data["job"] = self.job
        return data


@dataclass
class DatasetNode:
    namespace: str
    name: str
    fields: list[tuple[str, str]] | None = None
    aliases: list[str] = field(default_factory=list)  # the config's `connection.table`
    latest_run: RunSummary | None = None
    row_count: int | None = None
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)  # latest result per check
    distance: int = 0  # dataset hops from the root: < 0 upstream, > 0 downstream

    @property
    def id(self) -> str:
        return dataset_id(self.namespace, self.name)

    @property
    def label(self) -> str:
        return self.aliases[0] if self.aliases else self.name

    @property
    def quality(self) -> str:
        """The worst latest check outcome: pass | warn | fail | error, or unknown."""
        if not self.checks:
            return "unknown"
        outcomes = [str(c["outcome"]) for c in self.checks.values()]
        return max(outcomes, key=lambda o: _RANK.get(o, 0))

    def at(self, distance: int) -> DatasetNode:
        """A copy placed `distance` hops from the root (containers copied too)."""
        return replace(
            self,
            distance=distance,
            fields=list(self.fields) if self.fields is not None else None,
            aliases=list(self.aliases),
            checks={k: dict(v) for k, v in self.checks.items()},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "DATASET",
            "namespace": self.namespace,
            "name": self.name,
            "label": self.label,
            "aliases": self.aliases,
            "distance": self.distance,
            "fields": [{"name": n, "type": t} for n, t in self.fields or []],
            "latest_run": self.latest_run.to_dict() if self.latest_run else None,
            "row_count": self.row_count,
            "quality": self.quality,
            "checks": sorted(self.checks.values(), key=lambda c: str(c["check"])),
        }


@dataclass
class JobNode:
    namespace: str
    name: str
    parent: str | None = None  # the pipeline job of a task job
    latest_run: RunSummary | None = None

    @property
    def id(self) -> str:
        return job_id(self.namespace, self.name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "JOB",
            "namespace": self.namespace,
            "name": self.name,
            "parent": self.parent,
            "latest_run": self.latest_run.to_dict() if self.latest_run else None,
        }


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str


@dataclass(frozen=True, order=True)
class ColumnEdge:
    source: str  # dataset id
    source_column: str
    target: str  # dataset id
    target_column: str
    type: str  # DIRECT | INDIRECT
    subtype: str  # IDENTITY | TRANSFORMATION | AGGREGATION | JOIN | ...
    job: str  # job id

    def to_dict(self) -> dict[str, str]:
        return {
            "source": self.source,
            "source_column": self.source_column,
            "target": self.target,
            "target_column": self.target_column,
            "type": self.type,
            "subtype": self.subtype,
            "job": self.job,
        }


@dataclass
class LineageStore:
    """Everything the stored events say, before choosing a root."""

    datasets: dict[str, DatasetNode] = field(default_factory=dict)
    jobs: dict[str, JobNode] = field(default_factory=dict)
    edges: set[Edge] = field(default_factory=set)
    columns: set[ColumnEdge] = field(default_factory=set)

    def snapshot(self) -> LineageStore:
        """A copy that later events cannot change (nodes copied; edges are immutable)."""
        return LineageStore(
            datasets={i: n.at(n.distance) for i, n in self.datasets.items()},
            jobs={i: replace(n) for i, n in self.jobs.items()},
            edges=set(self.edges),
            columns=set(self.columns),
        )


@dataclass
class LineageGraph:
    root: str  # dataset id
    direction: str  # both | upstream | downstream
    depth: int
    column: str | None = None
    datasets: dict[str, DatasetNode] = field(default_factory=dict)
    jobs: dict[str, JobNode] = field(default_factory=dict)
    edges: set[Edge] = field(default_factory=set)
    columns: set[ColumnEdge] = field(default_factory=set)

    def upstream(self) -> list[DatasetNode]:
        return sorted(
            (d for d in self.datasets.values() if d.distance < 0),
            key=lambda d: (d.distance, d.label),
        )

    def downstream(self) -> list[DatasetNode]:
        return sorted(
            (d for d in self.datasets.values() if d.distance > 0),
            key=lambda d: (d.distance, d.label),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "direction": self.direction,
            "depth": self.depth,
            "column": self.column,
            "datasets": [
                d.to_dict()
                for d in sorted(self.datasets.values(), key=lambda d: (d.distance, d.id))
            ],
            "jobs": [j.to_dict() for j in sorted(self.jobs.values(), key=lambda j: j.id)],
            "edges": [{"source": e.source, "target": e.target} for e in sorted(self.edges)],
            "column_edges": [c.to_dict() for c in sorted(self.columns)],
        }
