"""`riverkeeper.yaml`: the store, named connections and defaults."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, SecretStr, ValidationInfo, field_validator
from sqlalchemy.engine import make_url

from monitor.config.base import Duration, Model, check_name
from monitor.scheduler.settings import USER_SETTINGS, SchedulerSettings, problem
from monitor.store.db import DEFAULT_STORE_URL


def safe_url(url: str) -> str:
    """A URL for messages and lineage: the password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a SQLAlchemy URL: keep scheme and host only
        return url.split("@")[-1]


class SqlConnection(Model):
    """A database reached through a SQLAlchemy URL (credentials via `${ENV}`)."""

    type: Literal["sql"] = "sql"
    url: SecretStr
    schema_: str | None = Field(default=None, alias="schema")

    @field_validator("url")
    @classmethod
    def _parses(cls, value: SecretStr) -> SecretStr:
        try:
            make_url(value.get_secret_value())
        except Exception as exc:  # sqlalchemy raises ArgumentError and others
            raise ValueError(f"not a SQLAlchemy URL: {safe_url(value.get_secret_value())}") from exc
        return value

    @property
    def safe_url(self) -> str:
        return safe_url(self.url.get_secret_value())


class FilesConnection(Model):
    """A folder of files (CSV, JSON, Parquet); relative paths are from the working directory."""

    type: Literal["files"] = "files"
    root: Path


class HttpConnection(Model):
    """A REST API; header values may hold secrets from the environment."""

    type: Literal["http"] = "http"
    base_url: str
    headers: dict[str, SecretStr] = Field(default_factory=dict)
    timeout: Duration = timedelta(seconds=10)
    retries: int = Field(default=3, ge=0)

    @property
    def safe_url(self) -> str:
        return safe_url(self.base_url)


Connection = Annotated[
    SqlConnection | FilesConnection | HttpConnection, Field(discriminator="type")
]


class StoreConfig(Model):
    url: SecretStr = SecretStr(DEFAULT_STORE_URL)


class LineageConfig(Model):
    namespace: str = "riverkeeper"


class ServerConfig(Model):
    host: str = "127.0.0.1"
    metrics_port: int = 9108
    dashboard_port: int = 8501


class Defaults(Model):
    timezone: str = "UTC"
    max_workers: int = Field(default=4, ge=1, le=64)
    workspace: Path = Path(".riverkeeper/workspace")  # task outputs per run, for resume
    retention: Duration | None = None  # how long run workspaces are kept


_BUILT_IN = SchedulerSettings()


class SchedulerConfig(Model):
    """`serve`'s scheduler; flags and RIVERKEEPER_* variables override each setting."""

    # Defaults are checked too: `heartbeat: 90s` alone leaves run_lease_timeout too short.
    model_config = ConfigDict(validate_default=True)

    workers: int = _BUILT_IN.workers
    tick: Duration = timedelta(seconds=_BUILT_IN.tick)
    lease_ttl: Duration = timedelta(seconds=_BUILT_IN.lease_ttl)
    heartbeat: Duration = timedelta(seconds=_BUILT_IN.heartbeat)
    run_lease_timeout: Duration = timedelta(seconds=_BUILT_IN.run_lease_timeout)
    misfire_grace: Duration = timedelta(seconds=_BUILT_IN.misfire_grace)
    max_recoveries: int = _BUILT_IN.max_recoveries
    shutdown_timeout: Duration = timedelta(seconds=_BUILT_IN.shutdown_timeout)
    watch: bool = _BUILT_IN.watch

    @field_validator("*")
    @classmethod
    def _in_range(cls, value: Any, info: ValidationInfo) -> Any:
        # info.data holds the fields above this one that validated (declaration order).
        name = str(info.field_name)
        values = {key: _plain(v) for key, v in info.data.items()}
        values[name] = _plain(value)
        wrong = problem(name, values)
        if wrong and value is cls.model_fields[name].default:  # not in the file
            wrong += f" (not set; the default is {values[name]:g}s)"
        if wrong:
            raise ValueError(wrong)
        return value

    def settings(self, given: Mapping[str, int | float | bool | None]) -> SchedulerSettings:
        """The settings `serve` runs with: each one `given` (a flag or an environment
        variable; None when absent) wins over this section, which holds the defaults."""
        values = {name: _plain(getattr(self, name)) for name in USER_SETTINGS}
        values.update({name: v for name, v in given.items() if v is not None})
        return SchedulerSettings(**values)


def _plain(value: Any) -> Any:
    """Durations as seconds, the unit of SchedulerSettings and the flags."""
    return value.total_seconds() if isinstance(value, timedelta) else value


class ProjectFile(Model):
    """The whole of `riverkeeper.yaml`."""

    project: str = "riverkeeper"
    store: StoreConfig = StoreConfig()
    connections: dict[str, Connection] = Field(default_factory=dict)
    defaults: Defaults = Defaults()
    lineage: LineageConfig = LineageConfig()
    server: ServerConfig = ServerConfig()
    scheduler: SchedulerConfig = SchedulerConfig()

    @field_validator("connections")
    @classmethod
    def _names(cls, value: dict[str, Connection]) -> dict[str, Connection]:
        for name in value:
            check_name(name, "connection name")
        return value
