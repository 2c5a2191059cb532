"""`riverkeeper serve`: the scheduler, metrics and lineage delivery, until SIGTERM."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from monitor.cli.common import state
from monitor.scheduler.settings import SchedulerSettings

_BUILT_IN = {
    name: f"{value:g}" if isinstance(value, float) else str(value).lower()
    for name, value in vars(SchedulerSettings()).items()
}


def _from_config(help_text: str, name: str) -> str:
    return f"{help_text} (default: scheduler.{name} of the config, else {_BUILT_IN[name]})"


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def _open_store(project: Any) -> Any:
    """Open (migrate, sync pipelines); two `serve` starting at once may race on the
    first writes of the same rows, so the loser tries again."""
    import time

    import sqlalchemy as sa

    from monitor.service import open_store

    for attempt in range(1, 4):
        try:
            return open_store(project)
        except sa.exc.IntegrityError:
            if attempt == 3:
                raise
            time.sleep(0.5 * attempt)
    raise AssertionError("unreachable")


def serve(
    ctx: typer.Context,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            envvar="RIVERKEEPER_WORKERS",
            min=1,
            help=_from_config("Runs at once.", "workers"),
        ),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            "--metrics-port",
            envvar="RIVERKEEPER_METRICS_PORT",
            help="Metrics port (default: server.metrics_port of the config; 0 picks a free one).",
        ),
    ] = None,
    no_metrics: Annotated[
        bool, typer.Option("--no-metrics", help="Do not serve /metrics.")
    ] = False,
    tick: Annotated[
        float | None,
        typer.Option(
            "--tick",
            envvar="RIVERKEEPER_TICK",
            help=_from_config("Seconds between passes.", "tick"),
        ),
    ] = None,
    lease_ttl: Annotated[
        float | None,
        typer.Option(
            "--lease-ttl",
            envvar="RIVERKEEPER_LEASE_TTL",
            help=_from_config(
                "SQLite store: seconds a scheduler lease stays valid without renewal.", "lease_ttl"
            ),
        ),
    ] = None,
    heartbeat: Annotated[
        float | None,
        typer.Option(
            "--heartbeat",
            envvar="RIVERKEEPER_HEARTBEAT",
            help=_from_config("Seconds between run heartbeats.", "heartbeat"),
        ),
    ] = None,
    run_lease_timeout: Annotated[
        float | None,
        typer.Option(
            "--run-lease-timeout",
            envvar="RIVERKEEPER_RUN_LEASE_TIMEOUT",
            help=_from_config(
                "Seconds a running run may go without a heartbeat before it is orphaned "
                "and taken over.",
                "run_lease_timeout",
            ),
        ),
    ] = None,
    misfire_grace: Annotated[
        float | None,
        typer.Option(
            "--misfire-grace",
            envvar="RIVERKEEPER_MISFIRE_GRACE",
            help=_from_config(
                "Seconds a fire time may be late at start-up and still count as on time.",
                "misfire_grace",
            ),
        ),
    ] = None,
    max_recoveries: Annotated[
        int | None,
        typer.Option(
            "--max-recoveries",
            envvar="RIVERKEEPER_MAX_RECOVERIES",
            min=0,
            help=_from_config(
                "How often an orphaned or stopped scheduled run is taken over.", "max_recoveries"
            ),
        ),
    ] = None,
    shutdown_timeout: Annotated[
        float | None,
        typer.Option(
            "--shutdown-timeout",
            envvar="RIVERKEEPER_SHUTDOWN_TIMEOUT",
            help=_from_config(
                "SIGTERM: seconds running tasks may take to finish.", "shutdown_timeout"
            ),
        ),
    ] = None,
    watch: Annotated[
        bool | None,
        typer.Option(
            "--watch/--no-watch",
            envvar="RIVERKEEPER_WATCH",
            help=_from_config("Reload when a config file changes.", "watch"),
        ),
    ] = None,
) -> None:
    """Run the monitor: schedules, retries, recovery, /metrics and lineage delivery.

    One scheduler is active per store (a PostgreSQL advisory lock, or a lease row
    on SQLite); more `serve` processes wait on standby and take over. SIGTERM
    stops gracefully, SIGHUP reloads the config.

    Each scheduler setting comes from its flag, else its RIVERKEEPER_* variable,
    else `scheduler:` in riverkeeper.yaml (read at start), else the built-in default.
    """
    import logging
    import os
    import sys

    from monitor.errors import UsageError

    st = state(ctx)
    if not st.debug:
        logging.getLogger().setLevel(logging.INFO)
        for noisy in ("apscheduler", "alembic", "openlineage"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    project = st.project()
    given = {
        "workers": workers,
        "tick": tick,
        "lease_ttl": lease_ttl,
        "heartbeat": heartbeat,
        "run_lease_timeout": run_lease_timeout,
        "misfire_grace": misfire_grace,
        "max_recoveries": max_recoveries,
        "shutdown_timeout": shutdown_timeout,
        "watch": watch,
    }
    try:
        settings = project.spec.scheduler.settings(given)
    except ValueError as exc:
        raise UsageError(
            f"scheduler settings (flags and RIVERKEEPER_* variables over riverkeeper.yaml): {exc}"
        ) from None
    from monitor.scheduler import serve as serving  # the heavy part, once the settings hold

    _open_store(project).close()  # migrate, record the pipelines
    store = serving.pooled_store(project.store_url, settings.workers)
    control = serving.pooled_store(project.store_url, 1)  # the scheduler's own connections
    server = project.spec.server
    port = server.metrics_port if metrics_port is None else metrics_port
    served = serving.start(
        project,
        store,
        settings,
        reload=serving.config_dir_reloader(project.config_dir),
        metrics=None if no_metrics else (server.host, port),
        control=control,
    )
    served.closers[:0] = [store.close, control.close]
    serving.install_signals(served.scheduler)
    scheduled = len(served.scheduler.schedules)
    typer.echo(
        f"riverkeeper serve: {scheduled} scheduled pipelines, {settings.workers} workers, store "
        f"{store.engine.url.render_as_string(hide_password=True)}"
        + (f", metrics {served.metrics_url}" if served.metrics_url else ""),
        err=True,
    )
    left = serving.run(served)
    if left:
        typer.echo(
            f"aborted {len(left)} runs still running at shutdown: {', '.join(left)}", err=True
        )
        sys.stderr.flush()
        os._exit(0)  # their task threads cannot be joined; the runs are marked aborted
