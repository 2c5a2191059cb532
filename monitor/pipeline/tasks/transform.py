"""transform: a Python function called with its upstream tasks' DataFrames by name."""

from __future__ import annotations

from monitor.errors import DataError
from monitor.pipeline.tasks.base import TaskContext, TaskOutput, origins_of


def run_transform(ctx: TaskContext) -> TaskOutput:
    import pandas as pd

    from monitor.config.functions import parameters

    func = ctx.pipeline.functions[ctx.task]
    args = {}
    for name in parameters(func):
        upstream = ctx.upstream[name]
        if upstream.frame is None:
            raise DataError(
                f"{ctx.pipeline.name}.{ctx.task}", f"upstream task {name!r} produced no data"
            )
        args[name] = upstream.frame
    result = func(**args)
    if not isinstance(result, pd.DataFrame):
        raise DataError(
            f"{ctx.pipeline.name}.{ctx.task}",
            f"{ctx.spec.function} returned {type(result).__name__}, expected a pandas DataFrame",
        )
    used = {name: ctx.upstream[name] for name in args}
    return TaskOutput(
        frame=result,
        origins=origins_of(used),
        rows_in=sum(len(frame) for frame in args.values()),
        rows_out=len(result),
    )
