"""One module per check family; `FAMILIES` maps a spec's `type` to its family."""

from __future__ import annotations

from typing import Any

from checks.families.aggregate import Aggregate
from checks.families.base import Extra, Family, Measure, Plan
from checks.families.condition import Condition, SqlMetric
from checks.families.duplicates import Duplicates
from checks.families.lateness import Lateness
from checks.families.missing import Missing
from checks.families.reconciliation import Reconciliation
from checks.families.reference import Reference
from checks.families.schema import Schema
from checks.families.validity import Validity
from checks.families.volume import Freshness, RowCount

FAMILIES: dict[str, Family[Any]] = {
    "row_count": RowCount(),
    "freshness": Freshness(),
    "missing": Missing(),
    "duplicates": Duplicates(),
    "lateness": Lateness(),
    "validity": Validity(),
    "reference": Reference(),
    "schema": Schema(),
    "aggregate": Aggregate(),
    "condition": Condition(),
    "sql_metric": SqlMetric(),
    "reconciliation": Reconciliation(),
}

__all__ = ["FAMILIES", "Extra", "Family", "Measure", "Plan"]
