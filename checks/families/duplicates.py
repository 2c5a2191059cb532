"""Duplicates: extra rows whose key already appeared (rows with a NULL key ignored).

count = rows with a complete key − distinct keys, so a key seen 3 times counts 2
(pandas `duplicated(keep="first")` on the rows with a complete key).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from checks.dialects import agg_if, count_if
from checks.families.base import Family, Measure, Plan, and_all, check_scope
from checks.scan import Scan
from checks.specs import DuplicatesCheck


def _complete(cols: Sequence[ColumnElement[Any]]) -> ColumnElement[bool]:
    return sa.and_(*(c.is_not(None) for c in cols))


class Duplicates(Family[DuplicatesCheck]):
    def plan(self, spec: DuplicatesCheck, scan: Scan) -> Plan:
        d = scan.dialect
        scope = check_scope(spec, scan)
        cols = [scan.col(c) for c in spec.key]
        complete = and_all(scope, _complete(cols))
        aggs: dict[str, Any] = {"keyed": count_if(d, complete), "scope": count_if(d, scope)}
        if len(cols) == 1:
            aggs["keyed"] = agg_if(d, sa.func.count, cols[0], scope)  # = FILTER (IS NOT NULL)
            aggs["distinct"] = agg_if(d, lambda e: sa.func.count(sa.distinct(e)), cols[0], scope)
        elif d.row_value_distinct:
            assert complete is not None
            row = sa.case((complete, sa.tuple_(*cols)))
            aggs["distinct"] = sa.func.count(sa.distinct(row))
        else:
            inner = scan.table.alias("dup")
            icols = [inner.c[c] for c in spec.key]
            where = and_all(
                _complete(icols), _rebind(scan.where, scan, inner), _rebind(scope, scan, inner)
            )
            keys = sa.select(*icols).distinct()
            if where is not None:
                keys = keys.where(where)
            sub = keys.subquery("dup_keys")
            aggs["distinct"] = (
                sa.select(sa.func.count()).select_from(sub).correlate(None).scalar_subquery()
            )
        return Plan(aggs, distinct=frozenset({"distinct"}))

    def measure(self, spec: DuplicatesCheck, measured: Mapping[str, Any], scan: Scan) -> Measure:
        extra = float((measured["keyed"] or 0) - (measured["distinct"] or 0))
        return Measure(
            value=extra,
            scope=float(measured["scope"] or 0),
            what=f"duplicating an earlier {', '.join(spec.key)}",
        )

    def failing(self, spec: DuplicatesCheck, scan: Scan) -> ColumnElement[bool] | None:
        inner = scan.table.alias("dup")
        icols = [inner.c[c] for c in spec.key]
        scope = check_scope(spec, scan)
        where = and_all(
            _complete(icols), _rebind(scan.where, scan, inner), _rebind(scope, scan, inner)
        )
        dup_keys = sa.select(*icols).group_by(*icols).having(sa.func.count() > 1).correlate(None)
        if where is not None:
            dup_keys = dup_keys.where(where)
        cols = [scan.col(c) for c in spec.key]
        key = cols[0] if len(cols) == 1 else sa.tuple_(*cols)
        return and_all(scope, key.in_(dup_keys))


def _rebind(cond: ColumnElement[bool] | None, scan: Scan, alias: Any) -> ColumnElement[bool] | None:
    """The same condition over an alias of the scanned table (user SQL stays as written)."""
    if cond is None:
        return None
    from sqlalchemy.sql.util import ClauseAdapter

    return ClauseAdapter(alias).traverse(cond)
