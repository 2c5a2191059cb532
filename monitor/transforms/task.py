"""The `transform` task with built-in `operations:` (instead of a Python `function:`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor.errors import DataError
from monitor.pipeline.events import ColumnOrigin
from monitor.transforms.apply import Lineage, apply_operations

if TYPE_CHECKING:
    from monitor.pipeline.tasks.base import TaskContext, TaskOutput

# TaskOutput.column_lineage key for an in-memory frame (not a dataset): the lineage
# of a transform's columns, which a load attaches to the table it writes.
FRAME_KEY = "frame:"


def frame_lineage(output: TaskOutput) -> Lineage:
    """Column -> origins of an upstream task's frame (identity for an extract)."""
    if FRAME_KEY in output.column_lineage:
        return dict(output.column_lineage[FRAME_KEY])
    if output.frame is None or len(output.origins) != 1:
        return {}
    dataset = output.origins[0]
    return {str(c): (ColumnOrigin(dataset, str(c)),) for c in output.frame.columns}


def run_operations(ctx: TaskContext) -> TaskOutput:
    from monitor.pipeline.tasks.base import TaskOutput, origins_of

    spec = ctx.spec
    where = f"{ctx.pipeline.name}.{ctx.task}"
    frames = {}
    for name in spec.upstream_inputs():
        upstream = ctx.upstream.get(name)
        if upstream is None or upstream.frame is None:
            raise DataError(where, f"upstream task {name!r} produced no data")
        frames[name] = (upstream.frame, frame_lineage(upstream))
    frame, lineage = frames[spec.input]
    applied = apply_operations(frame, lineage, spec.operations, frames, where)
    used = {name: ctx.upstream[name] for name in frames}
    return TaskOutput(
        frame=applied.frame,
        origins=origins_of(used),
        rows_in=sum(len(f) for f, _ in frames.values()),
        rows_out=len(applied.frame),
        rows_rejected=len(applied.rejected),
        rows_filtered=applied.filtered,
        rejected=applied.rejected,
        column_lineage={FRAME_KEY: applied.lineage},
    )


def run_transform_task(ctx: TaskContext) -> TaskOutput:
    """The `transform` executor: built-in operations, or a Python function."""
    from monitor.pipeline.tasks.transform import run_transform

    if getattr(ctx.spec, "operations", None) is not None:
        return run_operations(ctx)
    return run_transform(ctx)


def run_load_with_lineage(ctx: TaskContext) -> TaskOutput:
    """The `load` executor, plus column lineage: the written table's columns come from
    the input frame's columns (identity through the load)."""
    from monitor.pipeline.tasks.load import run_load

    output = run_load(ctx)
    upstream = ctx.upstream.get(getattr(ctx.spec, "input", ""))
    if upstream is not None and output.outputs and not output.column_lineage:
        lineage = frame_lineage(upstream)
        written = {c.name for c in output.outputs[0].columns}
        lineage = {c: o for c, o in lineage.items() if not written or c in written}
        if lineage:
            output.column_lineage = {output.outputs[0].key: lineage}
    return output
