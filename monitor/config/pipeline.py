"""`pipelines/*.yaml`: a pipeline is a schedule and a DAG of named tasks."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from checks import CheckSpec
from checks.specs import validate_suite
from monitor.config.base import Duration, Model, check_name
from monitor.connectors import SourceSpec, TargetSpec
from monitor.transforms.ops import Join, Operation

TriggerRule = Literal["all_success", "all_done", "one_failed", "none_failed", "always"]


class Schedule(Model):
    """When runs are due: a cron expression or a fixed interval, in a time zone."""

    cron: str | None = None
    every: Duration | None = None
    timezone: str = "UTC"
    start_date: datetime | None = None
    catchup: Literal["none", "latest", "all"] = "none"
    max_active_runs: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _one_of(self) -> Schedule:
        if (self.cron is None) == (self.every is None):
            raise ValueError("give exactly one of 'cron' or 'every'")
        return self

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            from apscheduler.triggers.cron import CronTrigger

            try:
                CronTrigger.from_crontab(value)
            except ValueError as exc:
                raise ValueError(f"invalid cron expression {value!r}: {exc}") from exc
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class RetryPolicy(Model):
    """Exponential backoff: delay * multiplier^(attempt-1), capped, with +/- jitter."""

    retries: int = Field(default=0, ge=0, le=100)
    delay: Duration = timedelta(seconds=5)
    multiplier: float = Field(default=2.0, ge=1.0)
    max_delay: Duration = timedelta(minutes=10)
    jitter: float = Field(default=0.1, ge=0.0, le=1.0)
    retry_on: Literal["transient", "any"] = "transient"


class TaskBase(Model):
    depends_on: list[str] = Field(default_factory=list)
    trigger_rule: TriggerRule = "all_success"
    retry: RetryPolicy = RetryPolicy()
    timeout: Duration | None = None
    description: str = ""

    def upstream(self) -> list[str]:
        """Every task this one needs, explicit or implied by its inputs."""
        return list(dict.fromkeys([*self.depends_on, *self.implied_upstream()]))

    def implied_upstream(self) -> list[str]:
        return []


class ExtractTask(TaskBase):
    """Read a source into a DataFrame."""

    type: Literal["extract"]
    source: SourceSpec
    dead_letter: bool = True  # keep rejected records in the dead-letter queue


class TransformTask(TaskBase):
    """A Python function `module:function` whose parameters name upstream tasks."""

    type: Literal["transform"]
    function: str

    @field_validator("function")
    @classmethod
    def _ref(cls, value: str) -> str:
        module, _, func = value.partition(":")
        if not module or not func:
            raise ValueError(f"function must be 'module:function' (got {value!r})")
        return value


class OperationsTask(TaskBase):
    """Built-in operations on one upstream task's frame (joins may name others)."""

    type: Literal["transform"]
    input: str
    operations: list[Operation] = Field(min_length=1)

    def upstream_inputs(self) -> list[str]:
        joined = [op.with_ for op in self.operations if isinstance(op, Join)]
        return list(dict.fromkeys([self.input, *joined]))

    def implied_upstream(self) -> list[str]:
        return self.upstream_inputs()


class SqlTask(TaskBase):
    """ELT: a SELECT run in the warehouse, materialised as a view, a table, or
    incrementally (the rows of the run's interval replaced, by `interval_column`).

    The SQL is `models/<model>.sql` in the config folder (or `sql:` inline) and may
    use {{ ref('task') }} and {{ source('connection', 'table') }}: the tasks they
    name (and load tasks writing those tables) run first.
    """

    type: Literal["sql"]
    connection: str
    model: str | None = None  # file below config/models/, without .sql
    sql: str | None = None
    materialized: Literal["view", "table", "incremental"] | None = None  # default view
    relation: str | None = None  # the view/table name; default: the task name
    schema_: str | None = Field(default=None, alias="schema")
    interval_column: str | None = None  # incremental: the model's date/timestamp column
    _derived: list[str] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _one_of(self) -> SqlTask:
        if (self.model is None) == (self.sql is None):
            raise ValueError("give exactly one of 'model' (a file in models/) or 'sql'")
        if self.materialized == "incremental" and not self.interval_column:
            raise ValueError("materialized: incremental needs 'interval_column'")
        return self

    def model_path(self, config_dir: Path) -> Path:
        name = self.model or ""
        return config_dir / "models" / (name if name.endswith(".sql") else f"{name}.sql")

    def text(self, config_dir: Path) -> str:
        return self.sql if self.sql is not None else self.model_path(config_dir).read_text()

    def implied_upstream(self) -> list[str]:
        return list(self._derived)


class LoadTask(TaskBase):
    """Write one upstream task's DataFrame to a target."""

    type: Literal["load"]
    input: str
    target: TargetSpec

    def implied_upstream(self) -> list[str]:
        return [self.input]


def _task_kind(value: Any) -> str | None:
    """The union tag: `type`, with `transform` split by `operations` vs `function`."""
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "transform" and "operations" in value:
            return "transform_operations"
        return kind if isinstance(kind, str) else None
    if isinstance(value, OperationsTask):
        return "transform_operations"
    return getattr(value, "type", None)


class CheckTask(TaskBase):
    """Check data in flight (an upstream task's DataFrame) or in the warehouse (a table).

    A failing error-severity check with `block: true` (the default) fails the
    task; warnings and non-blocking failures are only recorded.
    """

    type: Literal["check"]
    input: str | None = None
    dataset: str | None = None  # <connection>.<table>
    key_columns: tuple[str, ...] = ()
    filter: str | None = None
    interval_column: str | None = None  # check only the rows of the run's data interval
    checks: list[CheckSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_of(self) -> CheckTask:
        if (self.input is None) == (self.dataset is None):
            raise ValueError(
                "give exactly one of 'input' (a task) or 'dataset' (<connection>.<table>)"
            )
        if self.dataset is not None and self.dataset.count(".") < 1:
            raise ValueError(f"dataset {self.dataset!r} must be '<connection>.<table>'")
        validate_suite(self.checks)
        return self

    def implied_upstream(self) -> list[str]:
        return [self.input] if self.input else []


# A new task kind: its class here with a Tag equal to its `type` (and an executor).
Task = Annotated[
    Annotated[ExtractTask, Tag("extract")]
    | Annotated[TransformTask, Tag("transform")]
    | Annotated[OperationsTask, Tag("transform_operations")]
    | Annotated[SqlTask, Tag("sql")]
    | Annotated[LoadTask, Tag("load")]
    | Annotated[CheckTask, Tag("check")],
    Discriminator(
        _task_kind,
        custom_error_type="unknown_task_type",
        custom_error_message="unknown task type; use one of extract, transform, sql, load, check",
    ),
]


class PipelineFile(Model):
    """The whole of one `pipelines/<name>.yaml`."""

    name: str | None = None
    description: str = ""
    schedule: Schedule | None = None
    tags: list[str] = Field(default_factory=list)
    max_workers: int | None = Field(default=None, ge=1, le=64)
    tasks: dict[str, Task]

    @field_validator("tasks")
    @classmethod
    def _names(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not value:
            raise ValueError("a pipeline needs at least one task")
        for name in value:
            check_name(name, "task name")
        return value

    @model_validator(mode="after")
    def _sql_dependencies(self, info: ValidationInfo) -> PipelineFile:
        """SQL tasks depend on the tasks their refs/sources name (needs the config folder
        in the validation context for model files; inline `sql:` always works)."""
        from monitor.transforms.templating import parse_model

        config_dir = (info.context or {}).get("config_dir")
        relations = {
            (t.relation or name): name for name, t in self.tasks.items() if isinstance(t, SqlTask)
        }
        loads = {
            (t.target.connection, getattr(t.target, "table", None)): name
            for name, t in self.tasks.items()
            if isinstance(t, LoadTask)
        }
        for name, task in self.tasks.items():
            if isinstance(task, OperationsTask):
                unknown = [t for t in task.upstream_inputs() if t not in self.tasks]
                if unknown:
                    raise ValueError(f"task {name!r} reads unknown task {unknown[0]!r}")
            if not isinstance(task, SqlTask):
                continue
            if task.sql is None and config_dir is None:
                continue
            try:
                refs = parse_model(task.text(Path(config_dir or ".")))
            except OSError as exc:
                raise ValueError(
                    f"task {name!r}: cannot read models/{Path(task.model or '').name}"
                    f"{'' if (task.model or '').endswith('.sql') else '.sql'}: {exc.strerror}"
                ) from exc
            unknown = [r for r in refs.refs if r not in relations]
            if unknown:
                raise ValueError(
                    f"task {name!r}: ref({unknown[0]!r}) names no sql task of this pipeline "
                    f"(known: {', '.join(sorted(relations))})"
                )
            deps = [relations[r] for r in refs.refs]
            deps += [loads[s] for s in refs.sources if s in loads]
            task._derived = list(dict.fromkeys(deps))
        return self
