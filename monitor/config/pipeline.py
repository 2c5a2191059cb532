"""`pipelines/*.yaml`: a pipeline is a schedule and a DAG of named tasks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from monitor.config.base import Duration, Model, check_name
from monitor.connectors import SourceSpec, TargetSpec

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


class LoadTask(TaskBase):
    """Write one upstream task's DataFrame to a target."""

    type: Literal["load"]
    input: str
    target: TargetSpec

    def implied_upstream(self) -> list[str]:
        return [self.input]


Task = Annotated[ExtractTask | TransformTask | LoadTask, Field(discriminator="type")]


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
