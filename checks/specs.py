"""Check specs: what a user writes in `config/checks/*.yaml` or a pipeline's check task.

Each check kind is a frozen pydantic model with `extra="forbid"`, and
`CheckSpec` is their union, discriminated on `type`. Semantics per type are in
`docs/checks.md`; the short version is on each class.

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
from typing import Annotated, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from checks.thresholds import Threshold, ThresholdField, as_threshold, parse_duration

Scalar = str | int | float | bool
FORMATS = ("email", "uuid", "date", "datetime", "phone")
TYPE_FAMILIES = ("integer", "number", "string", "boolean", "date", "timestamp")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Check(_Model):
    """Fields every check has."""

    type: str
    name: str | None = Field(default=None, min_length=1, max_length=300)
    description: str = ""
    severity: Literal["warn", "error"] = "error"
    block: bool = True
    filter: str | None = Field(default=None, min_length=1)
    warn: ThresholdField | None = None
    fail: ThresholdField | None = None
    unit: Literal["count", "percent"] | None = None

    default_fail: ClassVar[str | None] = "> 0"
    allows_percent: ClassVar[bool] = True
    needs_threshold: ClassVar[bool] = False

    @property
    def check_name(self) -> str:
        """The given name, or one derived from the type and its arguments (stable)."""
        return self.name or self._derived_name()

    def _derived_name(self) -> str:
        return self.type

    @property
    def fail_threshold(self) -> Threshold | None:
        if self.fail is not None:
            return self.fail
        if self.warn is None and self.default_fail is not None:
            return as_threshold(self.default_fail)
        return None

    @property
    def involved_columns(self) -> tuple[str, ...]:
        return ()

    @property
    def value_unit(self) -> Literal["count", "percent"]:
        """The unit of the stored value of a count check: `unit`, else percent when
        every threshold given is a percent, else count."""
        if self.unit is not None:
            return self.unit
        given = [t for t in (self.warn, self.fail) if t is not None]
        return "percent" if given and all(t.percent for t in given) else "count"

    @field_validator("warn", "fail")
    @classmethod
    def _threshold_unit(cls, t: Threshold | None, info: ValidationInfo) -> Threshold | None:
        kind = cls.model_fields["type"].annotation
        name = getattr(kind, "__args__", ("this",))[0]
        if t is not None and t.percent and not cls.allows_percent:
            raise ValueError(
                f"{info.field_name} threshold {t.text!r}: a {name} check takes no percent"
            )
        if t is not None and t.unit == "duration" and name != "freshness":
            raise ValueError(
                f"{info.field_name} threshold {t.text!r}: durations only apply to freshness checks"
            )
        return t

    @model_validator(mode="after")
    def _check_thresholds(self) -> _Check:
        if self.unit is not None and not self.allows_percent:
            raise ValueError(f"unit: a {self.type} check measures no count or percent")
        if self.needs_threshold and self.warn is None and self.fail is None:
            raise ValueError(f"a {self.type} check needs a warn or fail threshold")
        return self


class RowCountCheck(_Check):
    """Number of rows. Fails by default when the dataset is empty."""

    type: Literal["row_count"]
    default_fail: ClassVar[str | None] = "== 0"
    allows_percent: ClassVar[bool] = False


class FreshnessCheck(_Check):
    """Age in seconds of the newest `column` value at `now` (NULLs ignored)."""

    type: Literal["freshness"]
    column: str
    default_fail: ClassVar[str | None] = None
    allows_percent: ClassVar[bool] = False
    needs_threshold: ClassVar[bool] = True

    def _derived_name(self) -> str:
        return f"freshness({self.column})"

    @property
    def involved_columns(self) -> tuple[str, ...]:
        return (self.column,)


class MissingCheck(_Check):
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


class DuplicatesCheck(_Check):
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


class LatenessCheck(_Check):
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


class ValidityCheck(_Check):
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


class Target(_Model):
    """Another dataset: `<connection>.<table>` (or a table of the same connection)."""

    dataset: str = Field(min_length=1)
    column: str | None = None
    filter: str | None = None


class ReferenceCheck(_Check):
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


class SchemaCheck(_Check):
    """Problems with the table's columns, read from the catalog.

    The value counts missing required columns, present forbidden columns and
    columns of the wrong type family (integer, number, string, boolean, date,
    timestamp). A change of columns or types since the previous run is
    reported with the outcome `on_change` (default warn).
    """

    type: Literal["schema"]
    required_columns: tuple[str, ...] = ()
    forbidden_columns: tuple[str, ...] = ()
    types: dict[str, Literal["integer", "number", "string", "boolean", "date", "timestamp"]] = (
        Field(default_factory=dict)
    )
    on_change: Literal["ignore", "warn", "fail"] = "warn"
    allows_percent: ClassVar[bool] = False


class AggregateCheck(_Check):
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


class ConditionCheck(_Check):
    """Rows for which the SQL condition `fails_when` is true (NULL counts as not failing)."""

    type: Literal["condition"]
    fails_when: str = Field(min_length=1)
    columns: tuple[str, ...] = ()

    def _derived_name(self) -> str:
        return f"condition({self.fails_when})"

    @property
    def involved_columns(self) -> tuple[str, ...]:
        return self.columns


class SqlMetricCheck(_Check):
    """A user metric: an aggregate `expression` over the dataset (joins the one scan),
    or a whole `query` returning one number (runs on its own)."""

    type: Literal["sql_metric"]
    name: str = Field(min_length=1, max_length=300)
    expression: str | None = None
    query: str | None = None
    default_fail: ClassVar[str | None] = None
    allows_percent: ClassVar[bool] = False
    needs_threshold: ClassVar[bool] = True

    @model_validator(mode="after")
    def _one_source(self) -> SqlMetricCheck:
        if (self.expression is None) == (self.query is None):
            raise ValueError("a sql_metric check needs exactly one of expression or query")
        if self.filter is not None:
            raise ValueError("a sql_metric check takes no filter: write it into the SQL")
        return self


class ReconciliationCheck(_Check):
    """|this − other| for a row count or a column sum; percent is relative to the other side.

    The other dataset may live on another engine (another connection).
    """

    type: Literal["reconciliation"]
    metric: Literal["row_count", "sum"] = "row_count"
    column: str | None = None
    other: Target

    @model_validator(mode="after")
    def _sum_columns(self) -> ReconciliationCheck:
        if self.metric == "sum" and (self.column is None or self.other.column is None):
            raise ValueError("a sum reconciliation needs column and other.column")
        return self

    def _derived_name(self) -> str:
        what = "row_count" if self.metric == "row_count" else f"sum({self.column})"
        return f"reconciliation({what},{self.other.dataset})"


class AnomalyCheck(_Check):
    """Is the current value of another check (`check`, by name) outside its usual band?

    Band: median ± sensitivity × 1.4826 × MAD of the values stored in the last
    `window_days` (the current run excluded), by weekday when there is enough
    history (`seasonality: auto`). "learning" until `min_history` values.
    """

    type: Literal["anomaly"]
    check: str = Field(min_length=1)
    window_days: int = Field(default=28, ge=1, le=3660)
    min_history: int = Field(default=7, ge=3)
    sensitivity: float = Field(default=3.0, gt=0)
    seasonality: Literal["auto", "weekly", "none"] = "auto"
    direction: Literal["both", "up", "down"] = "both"
    default_fail: ClassVar[str | None] = None
    allows_percent: ClassVar[bool] = False

    @model_validator(mode="after")
    def _no_thresholds(self) -> AnomalyCheck:
        if self.warn is not None or self.fail is not None:
            raise ValueError(
                "an anomaly check takes no warn/fail threshold: tune sensitivity, "
                "and use severity: warn to only warn"
            )
        if self.filter is not None:
            raise ValueError("an anomaly check takes no filter: put it on the watched check")
        return self

    def _derived_name(self) -> str:
        return f"anomaly({self.check})"


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


class ChecksFile(_Model):
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
