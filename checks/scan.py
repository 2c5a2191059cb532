"""The context a check family builds its SQL in: one table, its columns, one filter."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from checks.dialects import Dialect
from checks.errors import CheckConfigError

Family = str  # integer | number | string | boolean | date | timestamp | other


def type_family(t: sa.types.TypeEngine[Any]) -> Family:
    """The family of a SQL type, as schema checks and validity rules see it."""
    if isinstance(t, sa.Boolean):
        return "boolean"
    if isinstance(t, sa.Integer):
        return "integer"
    if isinstance(t, (sa.Numeric, sa.Float)):
        return "number"
    if isinstance(t, sa.DateTime):
        return "timestamp"
    if isinstance(t, sa.Date):
        return "date"
    if isinstance(t, (sa.String, sa.Enum, sa.Uuid)):
        return "string"
    name = str(getattr(t, "__visit_name__", "")).lower()
    if "timestamp" in name or "datetime" in name:
        return "timestamp"
    if "int" in name:
        return "integer"
    if name in ("double", "real", "decimal", "hugeint", "float"):
        return "number"
    return "other"


@dataclass(frozen=True)
class Column:
    name: str
    type: sa.types.TypeEngine[Any]
    family: Family
    raw_type: str | None = None  # the catalog's own name for the type, when read directly

    @property
    def type_name(self) -> str:
        if self.raw_type is not None:
            return self.raw_type
        try:
            return str(self.type)
        except Exception:  # noqa: BLE001 (some reflected types cannot render without a dialect)
            return type(self.type).__name__


@dataclass(frozen=True)
class TableRef:
    """Where another dataset lives: the engine key ("" = this engine), schema and table."""

    connection: str
    schema: str | None
    table: str

    def clause(self, *columns: str) -> sa.TableClause:
        return sa.table(self.table, *(sa.column(c) for c in columns), schema=self.schema)


@dataclass(frozen=True)
class Scan:
    """Everything a family needs to build its query; built once per suite run."""

    dataset: str
    table: sa.TableClause
    columns: Mapping[str, Column]
    dialect: Dialect
    where: ColumnElement[bool] | None
    now: datetime
    key_columns: tuple[str, ...]
    resolve: Callable[[str], TableRef]

    def col(self, name: str) -> ColumnElement[Any]:
        self.require(name)
        return self.table.c[name]

    def family(self, name: str) -> Family:
        self.require(name)
        return self.columns[name].family

    def require(self, *names: str) -> None:
        for name in names:
            if name not in self.columns:
                close = difflib.get_close_matches(name, list(self.columns), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                known = ", ".join(self.columns)
                raise CheckConfigError(
                    f"column {name!r} does not exist in {self.dataset}{hint}; columns: {known}"
                )


def user_condition(sql: str) -> ColumnElement[bool]:
    """A user-given SQL condition, parenthesised, inserted as written."""
    return sa.literal_column(f"({sql})", sa.Boolean)


def both(
    a: ColumnElement[bool] | None, b: ColumnElement[bool] | None
) -> ColumnElement[bool] | None:
    if a is None:
        return b
    if b is None:
        return a
    return sa.and_(a, b)
