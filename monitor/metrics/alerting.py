"""Wiring the built-in alert evaluator to the store, for `serve`."""

from __future__ import annotations

import logging

import httpx
import sqlalchemy as sa

from alerts import Evaluator, build_notifiers
from alerts.config import AlertsConfig
from monitor.metrics.alert_store import SqlAlertStore
from monitor.metrics.collector import StoreCollector


def build_evaluator(
    engine: sa.Engine,
    config: AlertsConfig,
    client: httpx.Client | None = None,
    logger: logging.Logger | None = None,
) -> Evaluator:
    """An evaluator over the store's metrics, keeping its state in the store.

    Call `.tick(now)` periodically (every 15 s is plenty); each tick reads the
    store once, like one scrape.
    """
    config.check()
    notifiers = build_notifiers(config, client or httpx.Client(), logger)
    return Evaluator(config, StoreCollector(engine).collect_at, notifiers, SqlAlertStore(engine))
