"""Task graphs: dependency order and cycles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from graphlib import CycleError, TopologicalSorter


def topological_order(upstream: Mapping[str, Sequence[str]]) -> list[str]:
    """Tasks in an order where each comes after its upstream tasks (stable by name)."""
    sorter = TopologicalSorter({task: sorted(deps) for task, deps in sorted(upstream.items())})
    return list(sorter.static_order())


def find_cycle(upstream: Mapping[str, Sequence[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None if the graph is a DAG."""
    try:
        topological_order(upstream)
    except CycleError as exc:
        cycle: list[str] = list(exc.args[1])
        return list(reversed(cycle))
    return None


def downstream(upstream: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The reverse graph: task -> tasks that need it."""
    out: dict[str, list[str]] = {task: [] for task in upstream}
    for task, deps in upstream.items():
        for dep in deps:
            out.setdefault(dep, []).append(task)
    return out
