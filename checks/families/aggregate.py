"""Aggregates of one column within bounds: avg, min, max, sum, stddev (sample), percentile
(continuous, interpolated like percentile_cont). NULLs are ignored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from checks.dialects import agg_if, percentile, stddev
from checks.errors import CheckConfigError
from checks.families.base import Family, Measure, Plan, check_scope
from checks.scan import Scan
from checks.specs import AggregateCheck

_FUNCS = {"avg": sa.func.avg, "min": sa.func.min, "max": sa.func.max, "sum": sa.func.sum}


class Aggregate(Family[AggregateCheck]):
    def plan(self, spec: AggregateCheck, scan: Scan) -> Plan:
        family = scan.family(spec.column)
        if family not in ("integer", "number", "boolean"):
            raise CheckConfigError(
                f"{spec.function} needs a numeric column; {spec.column!r} is {family}"
            )
        col = scan.col(spec.column)
        scope = check_scope(spec, scan)
        d = scan.dialect
        if spec.function == "stddev":
            expr = stddev(d, col, scope)
        elif spec.function == "percentile":
            assert spec.percentile is not None
            expr = percentile(d, col, spec.percentile, scope)
        else:
            expr = agg_if(d, _FUNCS[spec.function], col, scope)
        return Plan({"value": expr})

    def measure(self, spec: AggregateCheck, measured: Mapping[str, Any], scan: Scan) -> Measure:
        raw = measured["value"]
        note = "" if raw is not None else f"no non-NULL {spec.column} value"
        return Measure(value=None if raw is None else float(raw), what=spec.check_name, note=note)
