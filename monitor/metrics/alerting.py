"""Wiring the built-in alert evaluator to the store, for `serve`."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from alerts import Evaluator, TickResult, build_notifiers
from alerts.config import AlertsConfig
from monitor.metrics.alert_store import SqlAlertStore
from monitor.metrics.alerts_config import read_alerts_config
from monitor.metrics.collector import StoreCollector

log = logging.getLogger(__name__)


def build_evaluator(
    engine: sa.Engine,
    config: AlertsConfig,
    client: httpx.Client | None = None,
    logger: logging.Logger | None = None,
) -> Evaluator:
    """An evaluator over the store's metrics, keeping its state in the store.

    Call `.tick(now)` periodically; each tick reads the store once, like one scrape.
    """
    config.check()
    notifiers = build_notifiers(config, client or httpx.Client(), logger)
    return Evaluator(config, StoreCollector(engine).collect_at, notifiers, SqlAlertStore(engine))


class AlertHost:
    """The evaluator as `serve` hosts it: ticked on every scheduler pass, evaluating at
    most once per `evaluation_interval`; `close()` releases its HTTP client.

    Only the active scheduler ticks it. After a pause (a standby taking over, a
    lost lease) the state is reloaded from the store, where the other process
    left it, so nothing is notified twice.
    """

    def __init__(self, engine: sa.Engine, config: AlertsConfig) -> None:
        config.check()
        self.engine, self.config = engine, config
        self.client = httpx.Client()
        self.every = config.evaluation_interval
        self.resume_after = max(3 * self.every, timedelta(minutes=1))
        self.evaluator: Evaluator | None = None
        self.last: datetime | None = None

    def tick(self, now: datetime) -> TickResult | None:
        if self.last is not None and now - self.last < self.every:
            return None
        if self.evaluator is None or self.last is None or now - self.last > self.resume_after:
            self.evaluator = build_evaluator(self.engine, self.config, self.client)
        self.last = now
        return self.evaluator.tick(now)

    def close(self) -> None:
        self.client.close()


def evaluator_for(project: Any, engine: sa.Engine) -> AlertHost | None:
    """The hosted evaluator of a loaded project (None when it defines no alert rules).

    Uses `project.extras["alerts"]` when the config loader has loaded alerts.yaml,
    else reads `<config_dir>/alerts.yaml` with the process environment.
    """
    config = project.extras.get("alerts") if hasattr(project, "extras") else None
    if not isinstance(config, AlertsConfig):
        from monitor.config.yamlfile import env_snapshot

        config = read_alerts_config(project.config_dir, env_snapshot())
    if not config.rules:
        return None
    log.info("alerts: evaluating %d rules every %s", len(config.rules), config.evaluation_interval)
    return AlertHost(engine, config)
