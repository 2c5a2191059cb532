"""Referential integrity: values with no match in another dataset of the same database.

Compiled as `col NOT IN (SELECT ref FROM other WHERE ref IS NOT NULL)` inside the
one scan: PostgreSQL hashes the subquery once, DuckDB and SQLite build it once.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from checks.errors import CheckConfigError
from checks.families.base import CountFamily
from checks.scan import Scan
from checks.specs import ReferenceCheck


class Reference(CountFamily[ReferenceCheck]):
    def predicate(self, spec: ReferenceCheck, scan: Scan) -> ColumnElement[bool]:
        target = scan.resolve(spec.to.dataset)
        if target.connection:
            raise CheckConfigError(
                f"reference check {spec.check_name!r}: {spec.to.dataset} is on connection "
                f"{target.connection!r}, not in the same database as {scan.dataset}; "
                "use a reconciliation check across connections"
            )
        assert spec.to.column is not None
        other = target.clause(spec.to.column)
        ref = other.c[spec.to.column]
        allowed = sa.select(ref).where(ref.is_not(None))
        if spec.to.filter:
            allowed = allowed.where(sa.literal_column(f"({spec.to.filter})", sa.Boolean))
        col = scan.col(spec.column)
        return sa.and_(col.is_not(None), col.not_in(allowed.correlate(None)))

    def what(self, spec: ReferenceCheck) -> str:
        return f"with a {spec.column} not in {spec.to.dataset}.{spec.to.column}"
