"""The check engine: check specs, one-scan SQL, evaluation, anomalies and samples.

`checks` never imports `monitor` or `alerts`; the monitor passes engines,
clocks and metric history in.
"""

from __future__ import annotations

from checks.engine import run_checks, run_suite
from checks.errors import CheckConfigError, ChecksError
from checks.frame import run_checks_on_frame, run_suite_on_frame
from checks.result import CheckResult, MemoryHistory, MetricHistory, Outcome, SuiteRun
from checks.specs import ChecksFile, CheckSpec, validate_suite
from checks.thresholds import Threshold, parse_threshold

__all__ = [
    "CheckConfigError",
    "CheckResult",
    "CheckSpec",
    "ChecksError",
    "ChecksFile",
    "MemoryHistory",
    "MetricHistory",
    "Outcome",
    "SuiteRun",
    "Threshold",
    "parse_threshold",
    "run_checks",
    "run_checks_on_frame",
    "run_suite",
    "run_suite_on_frame",
    "validate_suite",
]
