"""The monitor side of data quality: checks files, stored results and history, `check`."""

from __future__ import annotations

from monitor.quality.config import (
    DatasetChecks,
    load_checks_config,
    read_checks_config,
    register,
)
from monitor.quality.history import StoreMetricHistory, save_results
from monitor.quality.service import check_dataset, dataset_checks, explain_dataset
from monitor.quality.task import ChecksFailedError, as_outcomes, run_task_checks

__all__ = [
    "ChecksFailedError",
    "DatasetChecks",
    "StoreMetricHistory",
    "as_outcomes",
    "check_dataset",
    "dataset_checks",
    "explain_dataset",
    "load_checks_config",
    "read_checks_config",
    "register",
    "run_task_checks",
    "save_results",
]
