"""Reconciliation: a row count or a column sum equal between two datasets.

This side joins the one scan (under the dataset filter and data interval); the
other side is one query on its own connection (under `other.filter`). The value
is |this − other|; a percent threshold compares it to |other|.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from checks.dialects import agg_if, count_if
from checks.families.base import Extra, Family, Measure, Plan, check_scope
from checks.scan import Scan, user_condition
from checks.specs import ReconciliationCheck


class Reconciliation(Family[ReconciliationCheck]):
    def plan(self, spec: ReconciliationCheck, scan: Scan) -> Plan:
        scope = check_scope(spec, scan)
        target = scan.resolve(spec.other.dataset)
        if spec.metric == "sum":
            assert spec.column is not None and spec.other.column is not None
            mine = agg_if(scan.dialect, sa.func.sum, scan.col(spec.column), scope)
            other_table = target.clause(spec.other.column)
            theirs = sa.select(sa.func.sum(other_table.c[spec.other.column]))
        else:
            mine = count_if(scan.dialect, scope)
            theirs = sa.select(sa.func.count()).select_from(target.clause())
        if spec.other.filter:
            theirs = theirs.where(user_condition(spec.other.filter))
        return Plan({"mine": mine}, [Extra(target.connection, theirs, "theirs", target)])

    def measure(
        self, spec: ReconciliationCheck, measured: Mapping[str, Any], scan: Scan
    ) -> Measure:
        mine = float(measured["mine"] or 0)
        theirs = float(measured["theirs"] or 0)
        diff = abs(mine - theirs)
        if diff <= 1e-9 * max(abs(mine), abs(theirs)):
            diff = 0.0
        what = "rows" if spec.metric == "row_count" else f"sum({spec.column})"
        return Measure(
            value=diff,
            scope=abs(theirs),
            what=f"difference in {what}",
            relative=True,
            note=f"{scan.dataset}: {mine:g}, {spec.other.dataset}: {theirs:g}",
        )
