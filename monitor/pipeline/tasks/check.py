"""check: run checks on an upstream task's DataFrame (in flight) or on a warehouse table.

The same compiled SQL runs in both places (through DuckDB for a DataFrame), so
in-flight and in-warehouse results agree. Results are stored with the run; a
failing blocking error-severity check fails the task (ChecksFailedError, never
retried), warnings are only recorded.
"""

from __future__ import annotations

from typing import Any

from monitor.config.pipeline import CheckTask
from monitor.errors import DataError
from monitor.lineage.naming import table_dataset
from monitor.pipeline.tasks.base import TaskContext, TaskOutput


def run_check(ctx: TaskContext) -> TaskOutput:
    from monitor.quality.task import as_outcomes, run_task_checks

    spec: CheckTask = ctx.spec
    where = f"{ctx.pipeline.name}.{ctx.task}"
    if ctx.io.store_engine is None:
        raise DataError(where, "no store to record check results in")
    options: dict[str, Any] = {"key_columns": spec.key_columns, "filter": spec.filter}
    if spec.interval_column:
        options["interval"] = (ctx.run.interval_start, ctx.run.interval_end)
        options["interval_column"] = spec.interval_column
    common: dict[str, Any] = {
        "now": ctx.now,
        "store_engine": ctx.io.store_engine,
        "run_id": ctx.run.run_id,
        "pipeline": ctx.pipeline.name,
        "task": ctx.task,
    }
    if spec.input is not None:
        upstream = ctx.upstream[spec.input]
        if upstream.frame is None:
            raise DataError(where, f"input task {spec.input!r} produced no data to check")
        run_task_checks(
            spec.checks,
            dataset=f"{ctx.pipeline.name}.{spec.input}",
            frame=upstream.frame,
            **common,
            **options,
        )
        return TaskOutput(origins=upstream.origins, rows_in=len(upstream.frame))
    assert spec.dataset is not None
    connection, _, table = spec.dataset.partition(".")
    schema, _, name = table.rpartition(".")
    engine = ctx.io.engine_for(connection)
    ref = table_dataset(engine.url, name, schema=schema or None, connection=connection)
    results = run_task_checks(
        spec.checks,
        dataset=spec.dataset,
        engine=engine,
        table=name,
        schema=schema or None,
        **common,
        **options,
    )
    return TaskOutput(inputs=(ref,), checks=as_outcomes(results, ref))
