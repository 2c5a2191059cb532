"""Column checks: missing, duplicates, lateness, validity, reference, aggregate, condition."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from checks.specs.base import Check, Scalar, Target
from checks.thresholds import parse_duration


class MissingCheck(Check):
    """Rows where `column` is NULL, or (if set) an empty string, or one of `values`."""

    type: Literal["missing"]
    column: str
    empty_string: bool = False
    values: tuple[Scalar, ...] = ()

    def _derived_name(self) -> str:
        return f"missing({self.column})"

    @property
    def involved_columns(self) -> tuple[str, ...]:
        return (self.column,)


class DuplicatesCheck(Check):
    """Extra rows: rows whose key (non-NULL) already appeared in another row.

    The count is rows with a complete key minus distinct keys, so three rows
    with the same key count 2. Rows with a NULL in any key column are ignored.
    """

    type: Literal["duplicates"]
    column: str | None = None
    columns: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _one_key(self) -> DuplicatesCheck:
        if (self.column is None) == (not self.columns):
            raise ValueError("a duplicates check needs either column or columns (not both)")
        return self

    @property
    def key(self) -> tuple[str, ...]:
        return (self.column,) if self.column is not None else self.columns

    def _derived_name(self) -> str:
        return f"duplicates({','.join(self.key)})"

    @property
    def involved_columns(self) -> tuple[str, ...]:
        return self.key


class LatenessCheck(Check):
    """Late-arriving rows: `column` (when a row arrived, e.g. created_at) is more than
    `max_delay` after `event_column` (when it happened, e.g. order_time)."""

    type: Literal["lateness"]
    column: str
    event_column: str
    max_delay: str

    @field_validator("max_delay")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @property
    def max_delay_seconds(self) -> float:
        return parse_duration(self.max_delay)

    def _derived_name(self) -> str:
        return f"lateness({self.column},{self.event_column})"

    @property
    def involved_columns(self) -> tuple[str, ...]:
        return (self.event_column, self.column)


class ValidityCheck(Check):
    """Non-NULL rows of `column` that break any of the given rules."""

    type: Literal["validity"]
    column: str
    accepted_values: tuple[Scalar, ...] | None = None
    regex: str | None = None
    format: Literal["email", "uuid", "date", "datetime", "phone"] | None = None
    min: float | None = None
    max: float | None = None
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=0)

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regex {value!r}: {exc}") from None
        return value

    @field_validator("accepted_values")
    @classmethod
    def _not_empty(cls, value: tuple[Scalar, ...] | None) -> tuple[Scalar, ...] | None:
        if value is not None and not value:
            raise ValueError("accepted_values is empty: list at least one value")
        return value

    @model_validator(mode="after")
    def _rules(self) -> ValidityCheck:
        rules = (self.accepted_values, self.regex, self.format, self.min, self.max)
        if all(r is None for r in rules) and self.min_length is None and self.max_length is None:
            raise ValueError(
                f"validity check on {self.column!r} needs at least one of accepted_values, "
                "regex, format, min, max, min_length, max_length"
            )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        lo, hi = self.min_length, self.max_length
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"min_length ({lo}) is above max_length ({hi})")
        return self

    def _derived_name(self) -> str:
        return f"validity({self.column})"

    @property
    def involved_columns(self) -> tuple[str, ...]:
        return (self.column,)


class ReferenceCheck(Check):
    """Non-NULL values of `column` with no equal value in `to.column` of `to.dataset`.

    The other dataset must live in the same database (one query, NOT EXISTS).
    """

    type: Literal["reference"]
    column: str
    to: Target

    @model_validator(mode="after")
    def _target_column(self) -> ReferenceCheck:
        if self.to.column is None:
            raise ValueError("a reference check needs to.column")
        return self

    def _derived_name(self) -> str:
        return f"reference({self.column},{self.to.dataset})"

    @property
    def involved_columns(self) -> tuple[str, ...]:
        return (self.column,)


class AggregateCheck(Check):
    """An aggregate of `column` (NULLs ignored), e.g. `fail: not between 10 and 500`."""

    type: Literal["aggregate"]
    column: str
    function: Literal["avg", "min", "max", "sum", "stddev", "percentile"]
    percentile: float | None = Field(default=None, ge=0.0, le=1.0)
    default_fail: ClassVar[str | None] = None
    allows_percent: ClassVar[bool] = False
    needs_threshold: ClassVar[bool] = True

    @model_validator(mode="after")
    def _percentile(self) -> AggregateCheck:
        if (self.function == "percentile") != (self.percentile is not None):
            raise ValueError(
                "percentile (0 to 1) is required with, and only with, function: percentile"
            )
        return self

    def _derived_name(self) -> str:
        fn = f"p{self.percentile * 100:g}" if self.percentile is not None else self.function
        return f"{fn}({self.column})"

    @property
    def involved_columns(self) -> tuple[str, ...]:
        return (self.column,)


class ConditionCheck(Check):
    """Rows for which the SQL condition `fails_when` is true (NULL counts as not failing)."""

    type: Literal["condition"]
    fails_when: str = Field(min_length=1)
    columns: tuple[str, ...] = ()

    def _derived_name(self) -> str:
        return f"condition({self.fails_when})"

    @property
    def involved_columns(self) -> tuple[str, ...]:
        return self.columns
