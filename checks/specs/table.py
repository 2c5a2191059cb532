"""Table checks: row count, freshness, schema, SQL metrics, reconciliation, anomaly."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import (
    Field,
    model_validator,
)

from checks.specs.base import Check, Target


class RowCountCheck(Check):
    """Number of rows. Fails by default when the dataset is empty."""

    type: Literal["row_count"]
    default_fail: ClassVar[str | None] = "== 0"
    allows_percent: ClassVar[bool] = False


class FreshnessCheck(Check):
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


class SchemaCheck(Check):
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


class SqlMetricCheck(Check):
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


class ReconciliationCheck(Check):
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


class AnomalyCheck(Check):
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
