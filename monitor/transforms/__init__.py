"""Built-in transform operations (drop nulls, cast, derive, join, aggregate, filter, ...)."""

from __future__ import annotations

from monitor.transforms.apply import Applied, apply_operations
from monitor.transforms.ops import Operation
from monitor.transforms.task import (
    FRAME_KEY,
    frame_lineage,
    run_load_with_lineage,
    run_operations,
    run_transform_task,
)

__all__ = [
    "FRAME_KEY",
    "Applied",
    "Operation",
    "apply_operations",
    "frame_lineage",
    "run_load_with_lineage",
    "run_operations",
    "run_transform_task",
]
