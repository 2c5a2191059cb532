"""Built-in transform operations: the config models (one per `op`).

operations:
  - {op: drop_nulls, columns: [customer_id, total]}
  - {op: deduplicate, columns: [order_id]}
  - {op: cast, columns: {total: float, order_date: date}}
  - {op: filter, where: "total > 0"}
  - op: derive
    columns:
      revenue: "quantity * price"                       # arithmetic on columns
      year: {date_part: year, of: order_date}
      customer_name: {concat: [first_name, last_name], sep: " "}
      minutes_to_ship: {minutes_between: [order_time, shipped_time]}
  - {op: join, with: extract_customers, on: [customer_id], how: left,
     columns: [customer_name, customer_segment]}
  - op: aggregate
    group_by: [order_date, customer_segment]
    aggregates:
      order_count: {fn: count, column: order_id}
      total_revenue: {fn: sum, column: total}
  - {op: select, columns: [order_id, total]}
  - {op: rename, columns: {total: order_total}}
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from monitor.config.base import Model
from monitor.connectors.typing import ColumnType

DatePart = Literal["year", "quarter", "month", "week", "day", "day_of_week", "hour", "date"]
AggFn = Literal["count", "count_rows", "sum", "mean", "min", "max", "nunique", "first", "last"]


class DropNulls(Model):
    """Drop rows with a null in any of `columns` (counted as filtered)."""

    op: Literal["drop_nulls"]
    columns: list[str] = Field(min_length=1)


class Deduplicate(Model):
    """Keep one row per value of `columns` (counted as filtered)."""

    op: Literal["deduplicate"]
    columns: list[str] = Field(min_length=1)
    keep: Literal["first", "last"] = "last"


class Cast(Model):
    """Cast columns; a value that does not parse rejects its row (dead-letter queue)."""

    op: Literal["cast"]
    columns: dict[str, ColumnType] = Field(min_length=1)


class Filter(Model):
    """Keep rows where `where` (a pandas query expression) is true; others are filtered."""

    op: Literal["filter"]
    where: str = Field(min_length=1)


class DatePartSpec(Model):
    date_part: DatePart
    of: str


class ConcatSpec(Model):
    concat: list[str] = Field(min_length=1)
    sep: str = ""


class MinutesBetween(Model):
    minutes_between: tuple[str, str]  # [start, end]: end - start in minutes


def _derive_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "expr"
    if isinstance(value, dict):
        return next((k for k in ("date_part", "concat", "minutes_between") if k in value), None)
    kinds: dict[type, str] = {
        DatePartSpec: "date_part",
        ConcatSpec: "concat",
        MinutesBetween: "minutes_between",
    }
    return kinds.get(type(value))


DeriveSpec = Annotated[
    Annotated[str, Tag("expr")]
    | Annotated[DatePartSpec, Tag("date_part")]
    | Annotated[ConcatSpec, Tag("concat")]
    | Annotated[MinutesBetween, Tag("minutes_between")],
    Discriminator(
        _derive_kind,
        custom_error_type="derive_spec",
        custom_error_message=(
            'a derived column is an expression ("quantity * price") or one of '
            "{date_part: year, of: column}, {concat: [columns], sep: ' '}, "
            "{minutes_between: [start, end]}"
        ),
    ),
]


class Derive(Model):
    """New (or replaced) columns from expressions over existing ones."""

    op: Literal["derive"]
    columns: dict[str, DeriveSpec] = Field(min_length=1)


class Join(Model):
    """Join the rows of another upstream task on key columns."""

    op: Literal["join"]
    with_: str = Field(alias="with")
    on: list[str] = Field(min_length=1)
    how: Literal["left", "inner", "right", "outer"] = "left"
    columns: list[str] | None = None  # columns to take from the other side (default: all)


class AggSpec(Model):
    fn: AggFn
    column: str | None = None  # not needed for count_rows

    @model_validator(mode="after")
    def _column(self) -> AggSpec:
        if self.fn != "count_rows" and self.column is None:
            raise ValueError(f"aggregate {self.fn!r} needs 'column'")
        return self


class Aggregate(Model):
    """Group by columns (none: the whole input) and aggregate."""

    op: Literal["aggregate"]
    group_by: list[str] = Field(default_factory=list)
    aggregates: dict[str, AggSpec] = Field(min_length=1)


class Select(Model):
    op: Literal["select"]
    columns: list[str] = Field(min_length=1)


class Rename(Model):
    op: Literal["rename"]
    columns: dict[str, str] = Field(min_length=1)


Operation = Annotated[
    DropNulls | Deduplicate | Cast | Filter | Derive | Join | Aggregate | Select | Rename,
    Field(discriminator="op"),
]
