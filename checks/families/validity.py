"""Validity: non-NULL values that break a rule (set, regex, format, range, length).

Regexes search (unanchored) on the three engines; anchor with ^...$. Use the
common subset of POSIX (PostgreSQL), RE2 (DuckDB) and Python (SQLite):
character classes like [0-9] rather than \\d, no look-arounds or back-references.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from checks.dialects import regex_match
from checks.errors import CheckConfigError
from checks.families.base import CountFamily
from checks.families.missing import coerce_values
from checks.scan import Scan
from checks.specs import ValidityCheck

_DAY = "(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
FORMATS = {
    "email": r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$",
    "uuid": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "date": f"^[0-9]{{4}}-{_DAY}$",
    "datetime": (
        f"^[0-9]{{4}}-{_DAY}[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?"
        "(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$"
    ),
    "phone": "^[+]?[0-9 ().-]{7,20}$",
}


def _text(col: ColumnElement[Any], family: str) -> ColumnElement[Any]:
    return col if family == "string" else sa.cast(col, sa.String)


class Validity(CountFamily[ValidityCheck]):
    def predicate(self, spec: ValidityCheck, scan: Scan) -> ColumnElement[bool]:
        col = scan.col(spec.column)
        family = scan.family(spec.column)
        valid: list[ColumnElement[bool]] = []
        if spec.accepted_values is not None:
            values = coerce_values(spec.accepted_values, family, spec.column, "accepted")
            valid.append(col.in_(values))
        patterns = (spec.regex, FORMATS[spec.format] if spec.format else None)
        valid.extend(regex_match(_text(col, family), p) for p in patterns if p is not None)
        if spec.min is not None or spec.max is not None:
            if family not in ("integer", "number"):
                raise CheckConfigError(
                    f"min/max need a numeric column; {spec.column!r} is {family}"
                )
            if spec.min is not None:
                valid.append(col >= spec.min)
            if spec.max is not None:
                valid.append(col <= spec.max)
        if spec.min_length is not None or spec.max_length is not None:
            length = sa.func.length(_text(col, family))
            if spec.min_length is not None:
                valid.append(length >= spec.min_length)
            if spec.max_length is not None:
                valid.append(length <= spec.max_length)
        # Every rule is NULL on a NULL value, so NOT (rules) is too and NULLs never count:
        # no `column IS NOT NULL` to evaluate per row.
        return sa.not_(sa.and_(*valid))

    def what(self, spec: ValidityCheck) -> str:
        return f"with an invalid {spec.column}"
