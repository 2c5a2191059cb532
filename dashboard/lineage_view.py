"""The lineage graph as Graphviz DOT (pure): datasets coloured by quality and freshness.

Input is `monitor.lineage.graph.LineageGraph` (datasets, jobs, edges, column
edges); the store's latest check outcomes (`latest_checks`, by the config's
`connection.table` names) and each writer pipeline's staleness window are
merged in, since the events only carry the checks run inside pipelines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dashboard.formatting import OUTCOME_COLOR, duration

RANK = {"unknown": -1, "pass": 0, "learning": 0, "warn": 1, "error": 2, "fail": 3}
FILL = {
    "pass": "#c8e6c9",
    "warn": "#fff59d",
    "fail": "#ffcdd2",
    "error": "#e1bee7",
    "unknown": "#eeeeee",
}


@dataclass(frozen=True)
class NodeStatus:
    quality: str  # pass | warn | fail | error | unknown
    fresh: str  # fresh | stale | unknown
    age: timedelta | None


def worst(*outcomes: str) -> str:
    return max(outcomes, key=lambda o: RANK.get(o, 0), default="unknown")


def node_status(
    node: Any,
    store_quality: Mapping[str, str],
    windows: Mapping[str, timedelta | None],
    now: datetime,
) -> NodeStatus:
    """Quality: the worst of the event assertions and the store's latest checks."""
    names = [node.name, *node.aliases]
    quality = worst(node.quality, *(store_quality[n] for n in names if n in store_quality))
    run = node.latest_run
    if run is None:
        return NodeStatus(quality, "unknown", None)
    at = datetime.fromisoformat(run.at)
    age = now - at
    pipeline = _pipeline_of(run.job)
    window = windows.get(pipeline) if pipeline else None
    if window is None:
        return NodeStatus(quality, "unknown", age)
    return NodeStatus(quality, "fresh" if age <= window else "stale", age)


def _pipeline_of(job_id: str | None) -> str | None:
    """`job:<namespace>:<pipeline>.<task>` → `<pipeline>`."""
    if not job_id:
        return None
    name = job_id.split(":", 2)[-1]
    return name.split(".", 1)[0]


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


def to_dot(graph: Any, statuses: Mapping[str, NodeStatus], columns: bool = False) -> str:
    """DOT for `st.graphviz_chart`: left to right, the root in bold."""
    out = [
        "digraph lineage {",
        "  rankdir=LR; bgcolor=transparent;",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [color="#78909c", arrowsize=0.7];',
    ]
    for node_id, node in sorted(graph.datasets.items()):
        st = statuses.get(node_id, NodeStatus("unknown", "unknown", None))
        label = node.label
        extra = [st.quality]
        if st.age is not None:
            extra.append(f"{st.fresh} · {duration(st.age)} old")
        if columns and node.fields:
            extra.append(", ".join(n for n, _ in node.fields[:8]))
        attrs = {
            "label": label + "\n" + " · ".join(extra),
            "shape": "box",
            "style": "rounded,filled" + (",dashed" if st.fresh == "stale" else ""),
            "fillcolor": FILL.get(st.quality, FILL["unknown"]),
            "color": OUTCOME_COLOR.get(st.quality, OUTCOME_COLOR["unknown"]),
            "penwidth": "3" if node_id == graph.root else "1.5",
            "tooltip": f"{node.namespace}/{node.name}",
        }
        out.append(f"  {_quote(node_id)} [{_attrs(attrs)}];")
    for job_id, job in sorted(graph.jobs.items()):
        state = job.latest_run.state if job.latest_run else ""
        color = "#c62828" if state == "FAIL" else "#546e7a"
        attrs = {
            "label": job.name + (f"\n{state.lower()}" if state else ""),
            "shape": "ellipse",
            "style": "filled",
            "fillcolor": "#eceff1",
            "color": color,
            "fontsize": "9",
        }
        out.append(f"  {_quote(job_id)} [{_attrs(attrs)}];")
    out.extend(f"  {_quote(e.source)} -> {_quote(e.target)};" for e in sorted(graph.edges))
    out.append("}")
    return "\n".join(out)


def _attrs(attrs: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={_quote(v)}" for k, v in attrs.items())


def neighbours(graph: Any, node_id: str) -> tuple[list[str], list[str]]:
    """Datasets one job away: (upstream, downstream) of `node_id`."""
    ups, downs = set(), set()
    for e in graph.edges:
        if e.target == node_id:
            ups |= {x.source for x in graph.edges if x.target == e.source}
        if e.source == node_id:
            downs |= {x.target for x in graph.edges if x.source == e.target}
    known = graph.datasets
    return sorted(u for u in ups if u in known), sorted(d for d in downs if d in known)
