"""Running built-in operations on a DataFrame, with accounting and column lineage.

Each operation maps the frame and its column lineage (column -> origins in
source datasets): filters keep origins, casts and derived columns are
TRANSFORMATION, aggregates AGGREGATION, joins bring the other side's origins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from monitor.connectors.base import Rejected
from monitor.connectors.files import raw_row
from monitor.connectors.typing import cast_columns
from monitor.errors import DataError
from monitor.pipeline.events import ColumnOrigin
from monitor.transforms import ops

if TYPE_CHECKING:
    import pandas as pd

Lineage = dict[str, tuple[ColumnOrigin, ...]]
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class Applied:
    frame: pd.DataFrame
    lineage: Lineage
    filtered: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def apply_operations(
    frame: pd.DataFrame,
    lineage: Lineage,
    operations: list[Any],
    others: Mapping[str, tuple[pd.DataFrame, Lineage]],
    where: str,
) -> Applied:
    """Run `operations` in order; `others` are the upstream frames joins may name."""
    state = Applied(frame, dict(lineage))
    for number, op in enumerate(operations, start=1):
        label = f"{where}: operation {number} ({op.op})"
        _require(state.frame, _columns_used(op), label)
        before = len(state.frame)
        state = _STEPS[op.op](state, op, others, label)
        if op.op in ("drop_nulls", "deduplicate", "filter"):
            state.filtered += before - len(state.frame)
    return state


def _columns_used(op: Any) -> list[str]:
    if isinstance(op, ops.DropNulls | ops.Deduplicate | ops.Select):
        return list(op.columns)
    if isinstance(op, ops.Cast | ops.Rename):
        return list(op.columns)
    if isinstance(op, ops.Join):
        return list(op.on)
    if isinstance(op, ops.Aggregate):
        return [*op.group_by, *(a.column for a in op.aggregates.values() if a.column)]
    return []


def _require(frame: pd.DataFrame, columns: list[str], label: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns)) or "none"
        raise DataError(label, f"no column {missing[0]!r} (columns: {have})")


def _drop_nulls(state: Applied, op: ops.DropNulls, _o: Any, _l: str) -> Applied:
    state.frame = state.frame.dropna(subset=op.columns).reset_index(drop=True)
    return state


def _deduplicate(state: Applied, op: ops.Deduplicate, _o: Any, _l: str) -> Applied:
    frame = state.frame.drop_duplicates(subset=op.columns, keep=op.keep)
    state.frame = frame.reset_index(drop=True)
    return state


def _cast(state: Applied, op: ops.Cast, _o: Any, label: str) -> Applied:
    frame = state.frame
    cast, bad = cast_columns(frame, dict(op.columns), lambda i: raw_row(frame, i))
    state.rejected += [Rejected(reason, raw, f"{label}: row {i + 1}") for i, reason, raw in bad]
    state.frame = cast
    for column in op.columns:
        state.lineage[column] = _as(state.lineage.get(column, ()), "TRANSFORMATION")
    return state


def _filter(state: Applied, op: ops.Filter, _o: Any, label: str) -> Applied:
    try:
        keep = state.frame.eval(op.where, engine="python")
    except Exception as exc:
        raise DataError(label, f"cannot evaluate {op.where!r}: {exc}") from exc
    keep = keep.fillna(False).astype(bool)
    state.frame = state.frame[keep].reset_index(drop=True)
    return state


def _derive(state: Applied, op: ops.Derive, _o: Any, label: str) -> Applied:
    from monitor.transforms.derive import derive_column

    for name, spec in op.columns.items():
        values, used = derive_column(state.frame, spec, f"{label} column {name!r}")
        state.frame = state.frame.assign(**{name: values})
        origins = tuple(o for c in used for o in state.lineage.get(c, ()))
        state.lineage[name] = _as(origins, "TRANSFORMATION")
    return state


def _join(
    state: Applied, op: ops.Join, others: Mapping[str, tuple[Any, Lineage]], label: str
) -> Applied:
    if op.with_ not in others:
        raise DataError(label, f"no upstream task {op.with_!r} to join with")
    other, other_lineage = others[op.with_]
    _require(other, [*op.on, *(op.columns or [])], f"{label} ({op.with_})")
    taken = op.columns if op.columns is not None else [c for c in other.columns if c not in op.on]
    right = other[[*op.on, *taken]]
    state.frame = state.frame.merge(right, on=op.on, how=op.how, suffixes=("", f"_{op.with_}"))
    for column in taken:
        name = column if column not in state.lineage else f"{column}_{op.with_}"
        state.lineage[name] = other_lineage.get(column, ())
    return state


def _aggregate(state: Applied, op: ops.Aggregate, _o: Any, _l: str) -> Applied:
    import pandas as pd

    frame = state.frame
    named: dict[str, Any] = {}
    lineage: Lineage = {c: state.lineage.get(c, ()) for c in op.group_by}
    for name, spec in op.aggregates.items():
        column = spec.column or (op.group_by[0] if op.group_by else frame.columns[0])
        fn = "size" if spec.fn == "count_rows" else spec.fn
        named[name] = pd.NamedAgg(column=column, aggfunc=fn)
        lineage[name] = _as(state.lineage.get(spec.column or "", ()), "AGGREGATION")
    if op.group_by:
        result = frame.groupby(op.group_by, dropna=False, sort=True).agg(**named).reset_index()
    else:
        result = frame.assign(_all=0).groupby("_all").agg(**named).reset_index(drop=True)
        if frame.empty:
            result = pd.DataFrame({n: [] for n in named})
    state.frame, state.lineage = result, lineage
    return state


def _select(state: Applied, op: ops.Select, _o: Any, _l: str) -> Applied:
    state.frame = state.frame[op.columns]
    state.lineage = {c: state.lineage.get(c, ()) for c in op.columns}
    return state


def _rename(state: Applied, op: ops.Rename, _o: Any, _l: str) -> Applied:
    state.frame = state.frame.rename(columns=op.columns)
    state.lineage = {op.columns.get(c, c): v for c, v in state.lineage.items()}
    return state


def _as(origins: tuple[ColumnOrigin, ...], kind: str) -> tuple[ColumnOrigin, ...]:
    """The same origins, marked with the stronger transformation kind."""
    rank = {"IDENTITY": 0, "TRANSFORMATION": 1, "AGGREGATION": 2}
    out = []
    for o in dict.fromkeys(origins):
        stronger = kind if rank.get(kind, 1) > rank.get(o.transformation, 1) else o.transformation
        out.append(ColumnOrigin(o.dataset, o.column, stronger))
    return tuple(dict.fromkeys(out))


def names_in(expression: str) -> list[str]:
    return _NAME.findall(expression)


_STEPS: dict[str, Any] = {
    "drop_nulls": _drop_nulls,
    "deduplicate": _deduplicate,
    "cast": _cast,
    "filter": _filter,
    "derive": _derive,
    "join": _join,
    "aggregate": _aggregate,
    "select": _select,
    "rename": _rename,
}
