"""Trigger rules: whether a task runs once its upstream tasks have finished (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.pipeline.events import TaskState

_FAILED = (TaskState.FAILED, TaskState.UPSTREAM_FAILED)


def blocked_state(rule: str, upstream: Sequence[TaskState]) -> TaskState | None:
    """None if the task should run; otherwise the state it ends in without running."""
    if rule == "all_success":
        if all(s == TaskState.SUCCESS for s in upstream):
            return None
        return (
            TaskState.UPSTREAM_FAILED if any(s in _FAILED for s in upstream) else TaskState.SKIPPED
        )
    if rule == "none_failed":
        return TaskState.UPSTREAM_FAILED if any(s in _FAILED for s in upstream) else None
    if rule == "one_failed":
        return None if any(s in _FAILED for s in upstream) else TaskState.SKIPPED
    if rule in ("all_done", "always"):
        return None
    raise ValueError(f"unknown trigger rule {rule!r}")
