"""The lineage graph as text, for `riverkeeper lineage`."""

from __future__ import annotations

from monitor.lineage.graph_model import DatasetNode, LineageGraph, RunSummary


def _run(run: RunSummary | None) -> str:
    if run is None:
        return "no run"
    return f"{run.state.lower()} {run.at[:19].replace('T', ' ')}"


def _node(node: DatasetNode) -> str:
    parts = [node.label, f"quality {node.quality}", f"last write {_run(node.latest_run)}"]
    if node.row_count is not None:
        parts.append(f"{node.row_count} rows")
    return "  ".join(parts)


def _writers(graph: LineageGraph, node: DatasetNode) -> str:
    jobs = sorted(
        graph.jobs[e.source].name
        for e in graph.edges
        if e.target == node.id and e.source in graph.jobs
    )
    return f"  <- {', '.join(jobs)}" if jobs else ""


def render(graph: LineageGraph) -> list[str]:
    """Lines: the root, then upstream (nearest first), downstream, and column edges."""
    root = graph.datasets[graph.root]
    lines = [_node(root), f"  {root.namespace}  {root.name}"]
    for title, nodes in (
        ("upstream", sorted(graph.upstream(), key=lambda d: (-d.distance, d.label))),
        ("downstream", graph.downstream()),
    ):
        if graph.direction not in ("both", title):
            continue
        lines.append(f"{title} ({len(nodes)}):")
        for node in nodes:
            indent = "  " * abs(node.distance)
            lines.append(f"{indent}{_node(node)}{_writers(graph, node)}")
        if not nodes:
            lines.append("  (none)")
    if graph.columns:
        lines.append("columns:")
        for e in sorted(graph.columns):
            source = graph.datasets.get(e.source)
            target = graph.datasets.get(e.target)
            src = source.label if source else e.source
            dst = target.label if target else e.target
            kind = e.subtype or e.type
            lines.append(f"  {src}.{e.source_column} -> {dst}.{e.target_column}  ({kind})")
    failing = [
        f"  {n.label}: {c['check']} {c['outcome']}"
        for n in sorted(graph.datasets.values(), key=lambda d: (d.distance, d.label))
        for c in sorted(n.checks.values(), key=lambda c: str(c["check"]))
        if c["outcome"] in ("fail", "error", "warn")
    ]
    if failing:
        lines.append("checks not passing:")
        lines += failing
    return lines
