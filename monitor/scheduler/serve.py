"""`riverkeeper serve`: the long-running monitor, wired.

Hosts, in one process: the scheduler (lease, due runs, recovery, worker pool),
the metrics endpoint (`monitor.metrics`), the lineage outbox listener and its
background sender (`monitor.lineage`), and the built-in alert evaluator
(`monitor.metrics.evaluator_for`, ticked by the active scheduler).
SIGTERM/SIGINT stop gracefully; SIGHUP reloads the config.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.config.loader import Project
from monitor.errors import describe
from monitor.pipeline.events import RunListener
from monitor.scheduler.scheduler import Hosted, Scheduler
from monitor.scheduler.settings import SchedulerSettings
from monitor.store.db import create_store_engine
from monitor.store.runs import Store

log = logging.getLogger(__name__)


@dataclass
class Served:
    """What `serve` started, for the caller's messages and for stopping it."""

    scheduler: Scheduler
    metrics_url: str | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in reversed(self.closers):
            try:
                close()
            except Exception:
                log.exception("closing %s failed (ignored)", close)


def lineage_parts(project: Project, store: Store) -> tuple[list[RunListener], Callable[[], None]]:
    """The lineage outbox listener and a started sender; no-ops if lineage cannot start."""
    try:
        from monitor.lineage import lineage_listener, start_sender, transport_from_config
        from monitor.lineage.events import LineageSettings

        sender = start_sender(store.engine, transport_from_config())
        settings = LineageSettings(
            namespace=project.spec.lineage.namespace, secrets=_secrets(project)
        )
        listener = lineage_listener(store.engine, settings, notify=sender.wake)
    except Exception as exc:  # noqa: BLE001 - lineage never stops the monitor
        log.error("lineage disabled: %s", describe(exc))
        return [], lambda: None
    return [listener], sender.stop


def _secrets(project: Project) -> tuple[str, ...]:
    from sqlalchemy.engine import make_url

    found: list[str] = []
    for conn in project.connections.values():
        if conn.type == "sql":
            password = make_url(conn.url.get_secret_value()).password
            if password:
                found.append(str(password))
        elif conn.type == "http":
            found += [v.get_secret_value() for v in conn.headers.values()]
    return tuple(found)


def alert_evaluator(project: Project, store: Store) -> Hosted | None:
    """The built-in alert evaluator (`monitor.metrics.evaluator_for`: alerts.yaml's rules
    over the store's metrics, state in the store); None when there are no rules.
    It is ticked on the active scheduler's passes only, so two `serve` processes
    never notify twice. Built at start: a reload does not change alert rules."""
    try:
        from monitor.metrics import evaluator_for

        return evaluator_for(project, store.engine)
    except Exception as exc:  # noqa: BLE001 - alerts never stop the monitor
        log.error("alert evaluator disabled: %s", describe(exc))
        return None


def start(
    project: Project,
    store: Store,
    settings: SchedulerSettings,
    *,
    reload: Callable[[], Project] | None = None,
    metrics: tuple[str, int] | None = None,
    extra_listeners: list[RunListener] | None = None,
    control: Store | None = None,
) -> Served:
    """Wire the parts around a scheduler (not started: call `run(served)`)."""
    _warm_up()
    closers: list[Callable[[], None]] = []
    listeners, stop_sender = lineage_parts(project, store)
    closers.append(stop_sender)
    metrics_url = None
    if metrics is not None:
        from monitor.metrics import start_metrics_server

        try:
            server = start_metrics_server(store.engine, metrics[0], metrics[1])
        except OSError as exc:
            log.error("metrics endpoint not started on %s:%s: %s", *metrics, exc)
        else:
            metrics_url = server.url
            closers.append(server.close)
    from monitor.quality.after_runs import ChecksAfterRuns

    # checks files of the datasets a run wrote, on the project as last (re)loaded
    checks = ChecksAfterRuns(lambda: scheduler.project, store)
    closers.append(checks.close)  # closers run last-first: before the sender stops
    scheduler = Scheduler(
        project,
        store,
        settings,
        reload=reload,
        listeners=[*listeners, checks, *(extra_listeners or [])],
        control=control,
    )
    from monitor.quality.scheduled import ScheduledChecks

    scheduled = ScheduledChecks(lambda: scheduler.project, store)  # checks with a schedule:
    scheduler.hosted.append(scheduled)
    closers.append(scheduled.close)
    evaluator = alert_evaluator(project, store)
    if evaluator is not None:
        scheduler.hosted.append(evaluator)
        close = getattr(evaluator, "close", None)
        if callable(close):
            closers.append(close)
    return Served(scheduler, metrics_url, closers)


def pooled_store(url: str, workers: int) -> Store:
    """A store whose connection pool fits `workers` concurrent runs (sizing:
    `monitor.store.db.create_store_engine`). The store must already be migrated
    (`monitor.service.open_store`)."""
    return Store(create_store_engine(url, workers=workers))


def _warm_up() -> None:
    """Import the data libraries now, not in the first run (it would start seconds late)."""
    import pandas  # noqa: F401
    import pyarrow.csv
    import pyarrow.parquet  # noqa: F401


def install_signals(scheduler: Scheduler) -> dict[signal.Signals, Any]:
    """SIGTERM/SIGINT stop, SIGHUP reloads (main thread only); returns the old handlers."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    old = {
        signal.SIGTERM: signal.signal(signal.SIGTERM, lambda *_: scheduler.request_stop()),
        signal.SIGINT: signal.signal(signal.SIGINT, lambda *_: scheduler.request_stop()),
        signal.SIGHUP: signal.signal(signal.SIGHUP, lambda *_: scheduler.request_reload()),
    }
    return old


def run(served: Served) -> list[str]:
    """Run until stopped; returns the runs a shutdown had to abort."""
    try:
        served.scheduler.run_forever()
    finally:
        left = served.scheduler.shutdown()
        served.close()
    return left


def config_dir_reloader(config_dir: Path) -> Callable[[], Project]:
    def reload() -> Project:
        from monitor.service import open_project

        return open_project(config_dir)

    return reload


__all__ = ["Served", "config_dir_reloader", "install_signals", "run", "start"]
