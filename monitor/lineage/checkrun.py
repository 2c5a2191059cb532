"""Lineage for checks run outside a pipeline (`riverkeeper check DATASET`).

A standalone check run is its own job, `checks.<connection>.<table>`, with
one START and one COMPLETE (or FAIL when the checks could not run). The
checked dataset is the run's input, and it carries the data quality metrics and
assertions as input facets, the way the Great Expectations integration reports them. The lineage
graph then shows the dataset's latest quality, as it does for checks run inside
pipelines.

    from monitor.lineage.checkrun import record_check_run
    record_check_run(store.engine, lineage_settings(project.spec), ref,
                     as_outcomes(results, ref), started, ended)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from openlineage.client.event_v2 import RunEvent, RunState
from openlineage.client.facet_v2 import error_message_run

from monitor.lineage.events import EventBuilder, LineageSettings
from monitor.lineage.outbox import outbox_writer
from monitor.pipeline.events import CheckOutcome, DatasetRef, TaskReport, TaskState


def check_job_name(dataset: DatasetRef) -> str:
    """`checks.<connection>.<table>`, or `checks.<name>` without a config name."""
    if dataset.connection and dataset.table:
        return f"checks.{dataset.connection}.{dataset.table}"
    return f"checks.{dataset.name}"


def check_run_events(
    builder: EventBuilder,
    dataset: DatasetRef,
    outcomes: Sequence[CheckOutcome],
    started: datetime,
    ended: datetime,
    run_id: str,
    error: str | None = None,
) -> list[RunEvent]:
    """The START and the terminal event of one standalone check run."""
    from openlineage.client.event_v2 import Job

    job = Job(
        namespace=builder.namespace,
        name=check_job_name(dataset),
        facets={"jobType": builder.job_type("CHECK")},
    )
    report = TaskReport(
        state=TaskState.FAILED if error else TaskState.SUCCESS,
        started_at=started,
        ended_at=ended,
        inputs=(dataset,),
        checks=tuple(outcomes),
    )
    facets = {}
    if error:
        facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message=error, programmingLanguage="PYTHON"
        )
    end_type = RunState.FAIL if error else RunState.COMPLETE
    return [
        builder.event(RunState.START, started, run_id, job, {}),
        builder.event(end_type, ended, run_id, job, facets, inputs=builder.inputs(report)),
    ]


def record_check_run(
    engine: sa.Engine,
    settings: LineageSettings,
    dataset: DatasetRef,
    outcomes: Sequence[CheckOutcome],
    started: datetime,
    ended: datetime,
    *,
    run_id: str | None = None,
    error: str | None = None,
) -> str:
    """Store the events of a standalone check run in the outbox; returns its run id.

    A running `serve` delivers them, or `riverkeeper lineage --deliver`.
    """
    from openlineage.client.uuid import generate_new_uuid

    run_id = run_id or str(generate_new_uuid())
    writer = outbox_writer(engine, settings)
    builder = EventBuilder(settings)
    for event in check_run_events(builder, dataset, outcomes, started, ended, run_id, error):
        writer.write(event)
    return run_id
