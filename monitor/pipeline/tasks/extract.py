"""extract: read a source; rejected records go to the dead-letter queue."""

from __future__ import annotations

from monitor.config.pipeline import ExtractTask
from monitor.pipeline.tasks.base import TaskContext, TaskOutput


def run_extract(ctx: TaskContext) -> TaskOutput:
    spec: ExtractTask = ctx.spec
    result = spec.source.read(ctx.io)
    rows_out = len(result.frame)
    return TaskOutput(
        frame=result.frame,
        inputs=(result.dataset,),
        origins=(result.dataset,),
        rows_in=result.rows_in,
        rows_out=rows_out,
        rows_rejected=len(result.rejected),
        rows_filtered=result.rows_in - rows_out - len(result.rejected),
        rejected=result.rejected,
        watermark=result.watermark,
    )
