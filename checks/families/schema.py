"""Schema: required and forbidden columns, type families, and changes since the last run.

Read from the catalog (no scan). The result's samples hold the current
columns, so the next run can tell what changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.families.base import Family, Measure
from checks.result import Outcome
from checks.scan import Scan
from checks.specs import SchemaCheck

_ACCEPTS = {"number": ("integer", "number")}


def _changes(previous: list[Mapping[str, Any]], current: dict[str, str]) -> list[str]:
    before = {str(c.get("column")): str(c.get("type")) for c in previous}
    out = [f"added {c}" for c in current if c not in before]
    out += [f"removed {c}" for c in before if c not in current]
    out += [
        f"{c} changed type {before[c]} -> {current[c]}"
        for c in current
        if c in before and before[c] != current[c]
    ]
    return out


class Schema(Family[SchemaCheck]):
    def measure(self, spec: SchemaCheck, measured: Mapping[str, Any], scan: Scan) -> Measure:
        cols = scan.columns
        problems = [f"missing required column {c}" for c in spec.required_columns if c not in cols]
        problems += [
            f"forbidden column {c} is present" for c in spec.forbidden_columns if c in cols
        ]
        for name, family in spec.types.items():
            if name not in cols:
                if name not in spec.required_columns:
                    problems.append(f"missing column {name} (expected {family})")
            elif cols[name].family not in _ACCEPTS.get(family, (family,)):
                problems.append(
                    f"{name} is {cols[name].type_name} ({cols[name].family}), expected {family}"
                )
        current = {c.name: c.type_name for c in cols.values()}
        samples = [{"column": n, "type": t} for n, t in current.items()]
        previous = measured.get("previous")
        changes = _changes(list(previous), current) if previous else []
        floor: Outcome | None = None
        if changes and spec.on_change != "ignore":
            floor = "warn" if spec.on_change == "warn" else "fail"
        notes = problems + (
            ["changed since the last run: " + "; ".join(changes)] if changes else []
        )
        return Measure(
            value=float(len(problems)),
            what="schema problems",
            floor=floor,
            note="; ".join(notes),
            samples=samples,
        )
