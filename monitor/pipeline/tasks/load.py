"""load: write the input task's DataFrame to a target, idempotently per the mode."""

from __future__ import annotations

from monitor.config.pipeline import LoadTask
from monitor.errors import DataError
from monitor.pipeline.tasks.base import TaskContext, TaskOutput


def run_load(ctx: TaskContext) -> TaskOutput:
    spec: LoadTask = ctx.spec
    upstream = ctx.upstream[spec.input]
    if upstream.frame is None:
        raise DataError(
            f"{ctx.pipeline.name}.{ctx.task}", f"input task {spec.input!r} produced no data"
        )
    result = spec.target.write(upstream.frame, ctx.io)
    return TaskOutput(
        inputs=upstream.origins,
        outputs=(result.dataset,),
        origins=(result.dataset,),
        rows_in=len(upstream.frame),
        rows_out=result.rows_written,
        rows_filtered=len(upstream.frame) - result.rows_written,
    )
