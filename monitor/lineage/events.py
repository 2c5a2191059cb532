"""OpenLineage events for pipeline runs and task runs (openlineage-python v2 classes).

Pure: values in, `RunEvent`s out; nothing is sent or stored here.

* Pipeline job `<pipeline>`: START, then COMPLETE / FAIL / ABORT, with jobType DAG
  and the run's data interval as a nominalTime facet.
* Task job `<pipeline>.<task>`: START, then COMPLETE / FAIL / ABORT, with a parent
  facet (parent = root = the pipeline run), jobType TASK, inputs and outputs with
  schema facets, output statistics and column lineage on outputs, data quality
  metrics and assertions (input facets) from the task's check outcomes, the SQL
  it ran and the error on failure. A failed attempt that will be retried is a
  RUNNING event carrying the error, so each run has one START and one terminal event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from openlineage.client.event_v2 import (
    InputDataset,
    Job,
    OutputDataset,
    Run,
    RunEvent,
    RunState,
    set_producer,
)
from openlineage.client.facet_v2 import (
    error_message_run,
    job_type_job,
    nominal_time_run,
    output_statistics_output_dataset,
    parent_run,
    sql_job,
)

from monitor.lineage import facets as fx
from monitor.lineage.serialize import serialize
from monitor.pipeline.events import (
    DatasetRef,
    RunInfo,
    TaskInfo,
    TaskReport,
    TaskState,
)
from monitor.pipeline.events import (
    RunState as PipelineState,
)

__all__ = [
    "DEFAULT_NAMESPACE",
    "INTEGRATION",
    "EventBuilder",
    "LineageSettings",
    "producer_uri",
    "serialize",
]

INTEGRATION = "RIVERKEEPER"
DEFAULT_NAMESPACE = "riverkeeper"
_SQL_DIALECTS = {"postgresql": "postgres"}


def producer_uri() -> str:
    """The `producer` of every event: the source tree of the running version."""
    try:
        ver = version("riverkeeper")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        ver = "0.0.0"
    return f"https://github.com/riverkeeper/riverkeeper/tree/{ver}"


@dataclass(frozen=True)
class LineageSettings:
    """What the config says about lineage: the job namespace and secrets to scrub."""

    namespace: str = DEFAULT_NAMESPACE
    producer: str = ""
    secrets: tuple[str, ...] = ()  # values (passwords, tokens) that must never be emitted

    def resolved_producer(self) -> str:
        return self.producer or producer_uri()


def _dialect_of(outputs: tuple[DatasetRef, ...]) -> str | None:
    """The SQL dialect from the namespace of the table a SQL task wrote (duckdb://...)."""
    for ds in outputs:
        scheme = ds.namespace.split("://", 1)[0] if "://" in ds.namespace else ""
        if scheme and scheme != "file":
            return scheme
    return None


def _time(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError(f"naive datetime {at.isoformat()} given to lineage; pass an aware one")
    return at.isoformat()


class EventBuilder:
    """Builds the events of one namespace; sets the OpenLineage producer on creation."""

    def __init__(self, settings: LineageSettings | None = None) -> None:
        self.settings = settings or LineageSettings()
        self.namespace = self.settings.namespace
        self.producer = self.settings.resolved_producer()
        set_producer(self.producer)  # facets take their `_producer` from this global

    # -- pipeline run ---------------------------------------------------------------
    def pipeline_start(self, run: RunInfo, at: datetime, *, again: bool = False) -> RunEvent:
        """START; or RUNNING when the run id started before (a resumed run)."""
        state = RunState.RUNNING if again else RunState.START
        return self._event(state, at, run.run_id, self._pipeline_job(run), self._nominal(run))

    def pipeline_end(
        self, run: RunInfo, state: PipelineState, at: datetime, error: str | None = None
    ) -> RunEvent:
        facets = self._nominal(run)
        if error:
            facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
                message=error, programmingLanguage="PYTHON"
            )
        event_type = {
            PipelineState.SUCCESS: RunState.COMPLETE,
            PipelineState.FAILED: RunState.FAIL,
        }.get(state, RunState.ABORT)
        return self._event(event_type, at, run.run_id, self._pipeline_job(run), facets)

    # -- task run -------------------------------------------------------------------
    def task_start(self, task: TaskInfo, at: datetime) -> RunEvent:
        return self._event(
            RunState.START,
            at,
            task.task_run_id,
            self._task_job(task, None),
            self._task_facets(task),
        )

    def task_running(self, task: TaskInfo, at: datetime) -> RunEvent:
        """Progress of a task run that already started (a retry attempt starting)."""
        return self._event(
            RunState.RUNNING,
            at,
            task.task_run_id,
            self._task_job(task, None),
            self._task_facets(task),
        )

    def task_end(self, task: TaskInfo, report: TaskReport) -> RunEvent:
        facets = self._task_facets(task)
        if report.error:
            facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
                message=report.error,
                programmingLanguage="PYTHON" if not report.sql else "SQL",
                stackTrace=report.stack_trace,
            )
        event_type = {
            TaskState.SUCCESS: RunState.COMPLETE,
            TaskState.FAILED: RunState.FAIL,
            TaskState.RETRYING: RunState.RUNNING,
        }.get(report.state, RunState.ABORT)
        return self._event(
            event_type,
            report.ended_at,
            task.task_run_id,
            self._task_job(task, report),
            facets,
            inputs=self._inputs(report),
            outputs=self._outputs(report),
        )

    # -- parts (public ones are used by monitor.lineage.checkrun) ---------------------
    def event(
        self,
        event_type: RunState,
        at: datetime,
        run_id: str,
        job: Job,
        run_facets: dict[str, Any],
        inputs: list[InputDataset] | None = None,
    ) -> RunEvent:
        return self._event(event_type, at, run_id, job, run_facets, inputs=inputs)

    def job_type(self, job_type: str) -> job_type_job.JobTypeJobFacet:
        return self._job_type(job_type)

    def inputs(self, report: TaskReport) -> list[InputDataset]:
        """Input datasets with schema and the check outcomes on them as DQ facets."""
        return self._inputs(report)

    def _event(
        self,
        event_type: RunState,
        at: datetime,
        run_id: str,
        job: Job,
        run_facets: dict[str, Any],
        inputs: list[InputDataset] | None = None,
        outputs: list[OutputDataset] | None = None,
    ) -> RunEvent:
        return RunEvent(
            eventType=event_type,
            eventTime=_time(at),
            producer=self.producer,
            run=Run(runId=run_id, facets=run_facets),
            job=job,
            inputs=inputs or [],
            outputs=outputs or [],
        )

    def _job_type(self, job_type: str) -> job_type_job.JobTypeJobFacet:
        return job_type_job.JobTypeJobFacet(
            processingType="BATCH", integration=INTEGRATION, jobType=job_type
        )

    def _pipeline_job(self, run: RunInfo) -> Job:
        facets: dict[str, Any] = {"jobType": self._job_type("DAG")}
        return Job(namespace=self.namespace, name=run.pipeline, facets=facets)

    def _task_job(self, task: TaskInfo, report: TaskReport | None) -> Job:
        facets: dict[str, Any] = {
            "jobType": self._job_type("QUERY" if task.kind == "sql" else "TASK")
        }
        if report is not None and report.sql:
            dialect = str(report.extra.get("dialect", "")) or _dialect_of(report.outputs)
            facets["sql"] = sql_job.SQLJobFacet(
                query=report.sql, dialect=_SQL_DIALECTS.get(dialect or "", dialect)
            )
        return Job(namespace=self.namespace, name=f"{task.run.pipeline}.{task.task}", facets=facets)

    def _nominal(self, run: RunInfo) -> dict[str, Any]:
        return {
            "nominalTime": nominal_time_run.NominalTimeRunFacet(
                nominalStartTime=_time(run.interval_start), nominalEndTime=_time(run.interval_end)
            )
        }

    def _task_facets(self, task: TaskInfo) -> dict[str, Any]:
        facets = self._nominal(task.run)
        pipeline_run = task.run.run_id
        facets["parent"] = parent_run.ParentRunFacet(
            run=parent_run.Run(runId=pipeline_run),
            job=parent_run.Job(namespace=self.namespace, name=task.run.pipeline),
            root=parent_run.Root(
                run=parent_run.RootRun(runId=pipeline_run),
                job=parent_run.RootJob(namespace=self.namespace, name=task.run.pipeline),
            ),
        )
        return facets

    def _inputs(self, report: TaskReport) -> list[InputDataset]:
        checks = fx.checks_by_dataset(report.checks)
        inputs = list(report.inputs)
        known = {d.key for d in inputs}
        # Checks on a dataset that is not an input (an output checked in flight, a check
        # task's table): the dataset is read by the check, so it becomes an input too.
        inputs += [outcomes[0].dataset for key, outcomes in checks.items() if key not in known]
        result = []
        for ds in inputs:
            outcomes = checks.get(ds.key, ())
            input_facets: dict[str, Any] = {}
            if outcomes:
                input_facets["dataQualityMetrics"] = fx.quality_metrics(outcomes)
                input_facets["dataQualityAssertions"] = fx.assertions(outcomes)
            result.append(
                InputDataset(
                    namespace=ds.namespace,
                    name=ds.name,
                    facets=fx.dataset_facets(ds, self.namespace),
                    inputFacets=input_facets,
                )
            )
        return result

    def _outputs(self, report: TaskReport) -> list[OutputDataset]:
        result = []
        single = len(report.outputs) == 1
        for ds in report.outputs:
            facets = fx.dataset_facets(ds, self.namespace)
            lineage = report.column_lineage.get(ds.key)
            if lineage:
                facets["columnLineage"] = fx.column_lineage(lineage)
            output_facets: dict[str, Any] = {}
            rows = _rows_of(ds, report, single)
            if rows is not None:
                output_facets["outputStatistics"] = (
                    output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
                        rowCount=rows
                    )
                )
            result.append(
                OutputDataset(
                    namespace=ds.namespace, name=ds.name, facets=facets, outputFacets=output_facets
                )
            )
        return result


def _rows_of(ds: DatasetRef, report: TaskReport, single: bool) -> int | None:
    per_output = report.extra.get("rows_out_by_dataset")
    if isinstance(per_output, Mapping) and ds.key in per_output:
        return int(per_output[ds.key])
    return report.rows_out if single and report.rows_out is not None else None
