"""Consistency conditions (failing rows identified by SQL) and custom SQL metrics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from checks.families.base import CountFamily, Extra, Family, Measure, Plan
from checks.scan import Scan, user_condition
from checks.specs import ConditionCheck, SqlMetricCheck


class Condition(CountFamily[ConditionCheck]):
    """Rows where `fails_when` is true; NULL (unknown) does not count as failing."""

    def predicate(self, spec: ConditionCheck, scan: Scan) -> ColumnElement[bool]:
        scan.require(*spec.columns)
        return user_condition(spec.fails_when)

    def what(self, spec: ConditionCheck) -> str:
        return f"where {spec.fails_when}"

    def column(self, spec: ConditionCheck) -> str | None:
        return ",".join(spec.columns) or None


class SqlMetric(Family[SqlMetricCheck]):
    """`expression` joins the one scan (it may use aggregates); `query` runs on its own."""

    def plan(self, spec: SqlMetricCheck, scan: Scan) -> Plan:
        if spec.expression is not None:
            return Plan({"value": sa.literal_column(f"({spec.expression})")})
        assert spec.query is not None
        return Plan(extras=[Extra("", spec.query, "value")])

    def measure(self, spec: SqlMetricCheck, measured: Mapping[str, Any], scan: Scan) -> Measure:
        raw = measured["value"]
        return Measure(value=None if raw is None else float(raw), what=spec.check_name)
