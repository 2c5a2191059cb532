"""Checks inside a pipeline: on a task's DataFrame (in flight) or on a warehouse table.

The pipeline's `check` task executor calls `run_task_checks`: results are
stored with the run, pipeline and task; a failing (or unrunnable) check of
severity error with `block: true` fails the task with `ChecksFailedError`
(never retried); warnings and `block: false` failures are only recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from checks import CheckResult, CheckSpec, run_suite, run_suite_on_frame
from monitor.errors import RiverkeeperError
from monitor.quality.history import StoreMetricHistory, save_results

if TYPE_CHECKING:
    import pandas as pd

    from monitor.pipeline.events import CheckOutcome, DatasetRef


class ChecksFailedError(RiverkeeperError):
    """Blocking checks of severity error failed: the data is wrong, retrying will not help."""

    def __init__(self, dataset: str, failed: Sequence[CheckResult]) -> None:
        self.dataset = dataset
        self.failed = list(failed)
        detail = "; ".join(f"{r.name}: {r.message}" for r in failed)
        super().__init__(f"{dataset}: {len(failed)} blocking check(s) failed: {detail}")


def run_task_checks(
    specs: Sequence[CheckSpec],
    *,
    dataset: str,
    now: datetime,
    store_engine: sa.Engine,
    frame: pd.DataFrame | None = None,
    engine: sa.Engine | None = None,
    table: str | None = None,
    schema: str | None = None,
    run_id: str | None = None,
    pipeline: str | None = None,
    task: str | None = None,
    raise_on_failure: bool = True,
    **options: Any,
) -> list[CheckResult]:
    """Run `specs` on `frame` (through DuckDB) or on `engine`/`table`, store the results,
    and raise ChecksFailedError if a blocking error-severity check failed.

    `options` go to `checks.run_suite`: key_columns, filter, interval,
    interval_column, other_engines, samples_limit.
    """
    history = StoreMetricHistory(store_engine)
    if frame is not None:
        run = run_suite_on_frame(frame, specs, dataset=dataset, now=now, history=history, **options)
    else:
        if engine is None or table is None:
            raise ValueError("run_task_checks needs a frame, or an engine and a table")
        run = run_suite(
            engine,
            table,
            specs,
            dataset=dataset,
            now=now,
            schema=schema,
            history=history,
            **options,
        )
    save_results(store_engine, run.results, run_id=run_id, pipeline=pipeline, task=task)
    failed = [r for r in run.results if r.blocks]
    if failed and raise_on_failure:
        raise ChecksFailedError(dataset, failed)
    return run.results


def as_outcomes(results: Sequence[CheckResult], ref: DatasetRef) -> list[CheckOutcome]:
    """Results as the runner's listeners and lineage facets see them."""
    from monitor.pipeline.events import CheckOutcome

    return [
        CheckOutcome(
            dataset=ref,
            name=r.name,
            type=r.type,
            column=r.column,
            outcome=r.outcome,
            severity=r.severity,
            value=r.value,
            expected=_expected(r),
        )
        for r in results
    ]


def _expected(r: CheckResult) -> str:
    if r.expected_low is not None and r.expected_high is not None:
        return f"between {r.expected_low:g} and {r.expected_high:g}"
    return r.fail_threshold and f"fail when {r.fail_threshold}" or ""
