"""Task executors, one module per kind. Add a kind: its config model and an entry here."""

from __future__ import annotations

from collections.abc import Callable

from monitor.pipeline.tasks.base import TaskContext, TaskOutput
from monitor.pipeline.tasks.check import run_check
from monitor.pipeline.tasks.extract import run_extract
from monitor.pipeline.tasks.sql_model import run_sql_model
from monitor.transforms.task import run_load_with_lineage, run_transform_task

EXECUTORS: dict[str, Callable[[TaskContext], TaskOutput]] = {
    "extract": run_extract,
    "transform": run_transform_task,  # built-in operations, or a Python function
    "sql": run_sql_model,
    "load": run_load_with_lineage,  # pipeline.tasks.load + column lineage of the frame
    "check": run_check,  # in flight on a DataFrame, or on a warehouse table
}

__all__ = ["EXECUTORS", "TaskContext", "TaskOutput"]
