"""Check specs: what a user writes in `config/checks/*.yaml` or a pipeline's check task.

Each check kind is a frozen pydantic model with `extra="forbid"`, and
`CheckSpec` is their union, discriminated on `type`. The semantics of each type are
in its class docstring (also in `riverkeeper schema checks`).

Outcome rules common to every type: `fail` (a threshold) triggers the outcome
"fail", `warn` triggers "warn"; a check with `severity: warn` never fails, its
worst outcome is "warn"; `block: false` records a failure without failing the
pipeline task. Count checks measure a number of rows; a threshold in percent
(`"> 5%"`) compares against that count as a percent of the rows the check
looked at (after the dataset filter, the data interval and the check's own
filter).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from checks.specs.base import FORMATS, TYPE_FAMILIES, Check, Model, Scalar, Target
from checks.specs.column import (
    AggregateCheck,
    ConditionCheck,
    DuplicatesCheck,
    LatenessCheck,
    MissingCheck,
    ReferenceCheck,
    ValidityCheck,
)
from checks.specs.table import (
    AnomalyCheck,
    FreshnessCheck,
    ReconciliationCheck,
    RowCountCheck,
    SchemaCheck,
    SqlMetricCheck,
)

CheckSpec = Annotated[
    RowCountCheck
    | FreshnessCheck
    | MissingCheck
    | DuplicatesCheck
    | LatenessCheck
    | ValidityCheck
    | ReferenceCheck
    | SchemaCheck
    | AggregateCheck
    | ConditionCheck
    | SqlMetricCheck
    | ReconciliationCheck
    | AnomalyCheck,
    Field(discriminator="type"),
]

_DATASET = re.compile(r"^[A-Za-z_][\w-]*\.[^.\s][^\s]*$")


class ChecksFile(Model):
    """One `config/checks/*.yaml` file: the checks of one dataset."""

    dataset: str
    description: str = ""
    key_columns: tuple[str, ...] = ()
    filter: str | None = Field(default=None, min_length=1)
    interval_column: str | None = None
    samples_limit: int = Field(default=10, ge=0, le=1000)
    checks: list[CheckSpec] = Field(min_length=1)

    @field_validator("dataset")
    @classmethod
    def _dataset_name(cls, value: str) -> str:
        if not _DATASET.match(value):
            raise ValueError(
                f"dataset {value!r} must be '<connection>.<table>', e.g. 'warehouse.fact_orders'"
            )
        return value

    @model_validator(mode="after")
    def _names(self) -> ChecksFile:
        validate_suite(self.checks)
        return self


def validate_suite(checks: tuple[CheckSpec, ...] | list[CheckSpec]) -> None:
    """Names are unique and anomaly checks watch a check of the same suite."""
    seen: set[str] = set()
    for spec in checks:
        name = spec.check_name
        if name in seen:
            raise ValueError(f"two checks are named {name!r}: give one of them a distinct name")
        seen.add(name)
    for spec in checks:
        if isinstance(spec, AnomalyCheck) and spec.check not in seen:
            known = ", ".join(sorted(seen - {spec.check_name}))
            raise ValueError(
                f"anomaly check {spec.check_name!r} watches {spec.check!r}, "
                f"which is not a check of this dataset; known: {known}"
            )


__all__ = [
    "FORMATS",
    "TYPE_FAMILIES",
    "AggregateCheck",
    "AnomalyCheck",
    "Check",
    "CheckSpec",
    "ChecksFile",
    "ConditionCheck",
    "DuplicatesCheck",
    "FreshnessCheck",
    "LatenessCheck",
    "MissingCheck",
    "Model",
    "ReconciliationCheck",
    "ReferenceCheck",
    "RowCountCheck",
    "Scalar",
    "SchemaCheck",
    "SqlMetricCheck",
    "Target",
    "ValidityCheck",
    "validate_suite",
]
