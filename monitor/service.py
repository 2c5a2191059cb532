"""The composition root: the only place that reads the environment and wires parts.

CLI commands and `serve` call these functions; tests call them too, passing
what they want to control (env, clock, listeners).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.config.loader import Project, load_project
from monitor.config.yamlfile import env_snapshot
from monitor.pipeline.events import RunListener
from monitor.pipeline.runner import Runner, RunResult, utc_now
from monitor.store.runs import Store

if TYPE_CHECKING:
    from monitor.quality.after_runs import ChecksRun

log = logging.getLogger(__name__)


def open_project(config_dir: Path, env: Mapping[str, str] | None = None) -> Project:
    """Load and validate the config folder (raises ConfigError with every issue).

    Checks (checks/*.yaml) and alerts (alerts.yaml) are validated with the rest,
    so one `validate` reports every problem of the project.
    """
    from monitor.metrics.alerts_config import register as register_alerts
    from monitor.quality.config import register as register_checks

    register_checks()
    register_alerts()
    return load_project(config_dir, env if env is not None else env_snapshot())


def open_store(project: Project) -> Store:
    store = Store.open(project.store_url)
    now = utc_now()
    for pipeline in project.pipelines.values():
        spec = pipeline.spec
        schedule = spec.schedule.model_dump(mode="json") if spec.schedule else None
        store.sync_pipeline(pipeline.name, spec.description, schedule, _hash(pipeline.path), now)
    return store


def run_pipelines(
    project: Project,
    names: Sequence[str],
    *,
    logical_date: datetime | None = None,
    listeners: Sequence[RunListener] = (),
    resume: str | None = None,
    lineage_drain_seconds: float = 10.0,
    on_checks: Callable[[ChecksRun], None] | None = None,
) -> list[RunResult]:
    """Run pipelines one after another (or resume one run); the CLI's `run`.

    The checks files of the datasets a run wrote run after it (`on_checks` hears
    of each). Lineage events go to the store's outbox first; before returning, a
    bounded drain tries to deliver them and logs what stays behind for `serve`.
    """
    from monitor.lineage.wiring import open_lineage
    from monitor.quality.after_runs import ChecksAfterRuns

    store = open_store(project)
    lineage = open_lineage(store.engine, project.spec)
    checked: list[ChecksRun] = []
    checks = ChecksAfterRuns(lambda: project, store, on_done=checked.append)
    try:
        runner = Runner(project, store, listeners=[lineage.listener, checks, *listeners])
        if resume:
            return [runner.resume(resume)]
        return [runner.run(name, logical_date=logical_date) for name in names]
    finally:
        checks.close()  # the checks after the last run, before lineage drains
        for done in checked:
            if on_checks is not None:
                on_checks(done)
        drained = lineage.close(drain_timeout=lineage_drain_seconds)
        if not drained.complete:
            log.warning("%s", drained.message())
        store.close()


def _hash(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
