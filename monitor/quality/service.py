"""`check_dataset`: run a dataset's `config/checks/*.yaml` checks and store the results."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from checks import CheckResult, run_suite
from monitor.config.project import FilesConnection, SqlConnection
from monitor.errors import ConnectionFailedError, UsageError
from monitor.quality.config import DatasetChecks, read_checks_config
from monitor.quality.files import file_engine
from monitor.quality.history import StoreMetricHistory, save_results
from monitor.quality.task import as_outcomes

if TYPE_CHECKING:
    from monitor.config.loader import Project
    from monitor.pipeline.events import DatasetRef
    from monitor.store.runs import Store


def dataset_checks(
    project: Project, env: Mapping[str, str] | None = None
) -> dict[str, DatasetChecks]:
    """The project's checks files by dataset (loaded with the project, or now)."""
    loaded = project.extras.get("checks")
    if isinstance(loaded, dict):
        return loaded
    if env is None:
        from monitor.config.yamlfile import env_snapshot

        env = env_snapshot()
    return read_checks_config(project.config_dir, project.spec, env)


def explain_dataset(
    project: Project, dataset: str, now: datetime, *, env: Mapping[str, str] | None = None
) -> list[str]:
    """The statements `check_dataset` would run (after one catalog read), as SQL text."""
    from checks.catalog import read_columns
    from checks.errors import CheckConfigError
    from checks.plan import explain_suite

    dc, engine, schema, table, engines = _open(project, dataset, env)
    try:
        with engine.connect() as conn:
            columns = read_columns(conn, table, schema or None)
        return explain_suite(
            dc.spec.checks,
            dataset=dataset,
            table=table,
            schema=schema or None,
            columns={name: col.type for name, col in columns.items()},
            dialect=engine.dialect,
            now=now,
            key_columns=dc.spec.key_columns,
            filter=dc.spec.filter,
            other_connections=[k for k in engines if k not in ("", dc.connection)],
        )
    except CheckConfigError as exc:
        raise UsageError(f"{dataset}: {exc}") from None
    except sa.exc.NoSuchTableError:
        raise UsageError(f"{dataset}: table {table!r} does not exist") from None
    except sa.exc.DBAPIError as exc:
        raise _connection_error(dc.connection, engine, exc) from exc
    finally:
        for e in engines.values():
            e.dispose()


def _open(
    project: Project, dataset: str, env: Mapping[str, str] | None
) -> tuple[DatasetChecks, sa.Engine, str, str, dict[str, sa.Engine]]:
    """The dataset's checks, its engine, schema and table, and every engine opened."""
    from monitor.pipeline.engines import create_engine

    found = dataset_checks(project, env)
    if dataset not in found:
        known = ", ".join(sorted(found)) or "none (add config/checks/*.yaml)"
        raise UsageError(f"no checks for dataset {dataset!r}; datasets with checks: {known}")
    dc = found[dataset]
    engines: dict[str, sa.Engine] = {
        name: create_engine(conn.url.get_secret_value())
        for name, conn in project.connections.items()
        if isinstance(conn, SqlConnection)
    }
    connection = project.connections[dc.connection]
    if isinstance(connection, FilesConnection):
        engine, table = file_engine(connection.root, dc.relation, dataset)
        schema = ""
        engines[""] = engine  # disposed with the others
    else:
        engine = engines[dc.connection]
        schema, _, table = dc.relation.rpartition(".")
    return dc, engine, schema, table, engines


def check_dataset(
    project: Project,
    dataset: str,
    store: Store,
    now: datetime,
    *,
    env: Mapping[str, str] | None = None,
    save: bool = True,
    pipeline: str | None = None,
    run_id: str | None = None,
) -> list[CheckResult]:
    """Run the checks of `dataset` (`<connection>.<table>`), store and return the results;
    with `save`, also its lineage (a `checks.<connection>.<table>` job) in the outbox.
    The results belong to `pipeline` (and its `run_id`) when given, else to the one
    pipeline that writes the dataset."""
    dc, engine, schema, table, engines = _open(project, dataset, env)
    spec = dc.spec
    started = time.monotonic()
    ref = _dataset_ref(project, dc, engine, schema, table)
    try:
        results = run_suite(
            engine,
            table,
            spec.checks,
            schema=schema or None,
            dataset=dataset,
            now=now,
            key_columns=spec.key_columns,
            filter=spec.filter,
            history=StoreMetricHistory(store.engine),
            other_engines={k: e for k, e in engines.items() if k not in ("", dc.connection)},
            samples_limit=spec.samples_limit,
        ).results
    except sa.exc.DBAPIError as exc:
        raise _connection_error(dc.connection, engine, exc) from exc
    finally:
        for e in engines.values():
            e.dispose()
    if save:
        owner = pipeline or owning_pipeline(project, dataset)
        save_results(store.engine, results, pipeline=owner, run_id=run_id)
        from monitor.lineage.checkrun import record_check_run
        from monitor.lineage.wiring import lineage_settings

        ended = now + timedelta(seconds=time.monotonic() - started)
        settings = lineage_settings(project.spec, store.engine.url)
        record_check_run(store.engine, settings, ref, as_outcomes(results, ref), now, ended)
    return results


def owning_pipeline(project: Project, dataset: str) -> str | None:
    """The one pipeline whose load or SQL tasks write `dataset` (`<connection>.<table>`,
    schema-qualified or not), so a standalone check counts against it on the dashboard;
    None when no pipeline or more than one writes it."""
    from monitor.config.pipeline import LoadTask, SqlTask

    connection, _, relation = dataset.partition(".")
    writers = set()
    for name, pipeline in project.pipelines.items():
        for task_name, task in pipeline.spec.tasks.items():
            if isinstance(task, LoadTask):
                conn = getattr(task.target, "connection", None)
                written = getattr(task.target, "table", None)
                schema = getattr(task.target, "schema_", None)
            elif isinstance(task, SqlTask):
                conn, written, schema = task.connection, task.relation or task_name, None
            else:
                continue
            if conn == connection and relation in (written, f"{schema}.{written}"):
                writers.add(name)
    return writers.pop() if len(writers) == 1 else None


def _dataset_ref(
    project: Project, dc: DatasetChecks, engine: sa.Engine, schema: str, table: str
) -> DatasetRef:
    from monitor.lineage.naming import file_dataset, table_dataset

    connection = project.connections[dc.connection]
    if isinstance(connection, FilesConnection):
        return file_dataset(Path(connection.root) / dc.relation, connection=dc.connection)
    return table_dataset(engine.url, table, schema=schema or None, connection=dc.connection)


def _connection_error(name: str, engine: sa.Engine, exc: sa.exc.DBAPIError) -> Exception:
    url = engine.url.render_as_string(hide_password=True)
    reason: Any = exc.orig if exc.orig is not None else exc
    return ConnectionFailedError(name, url, str(reason).strip().splitlines()[0])
