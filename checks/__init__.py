"""The check engine: check specs, one-scan SQL, evaluation, anomalies and samples.

`checks` never imports `monitor` or `alerts`; the monitor passes engines,
clocks and metric history in.
"""

from __future__ import annotations

from checks.specs import ChecksFile, CheckSpec
from checks.thresholds import Threshold, parse_threshold

__all__ = ["CheckSpec", "ChecksFile", "Threshold", "parse_threshold"]
