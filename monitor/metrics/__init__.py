"""Prometheus metrics read from the store, and the alert wiring for `serve`."""

from __future__ import annotations

from monitor.metrics.alert_store import SqlAlertStore
from monitor.metrics.alerting import AlertHost, build_evaluator, evaluator_for
from monitor.metrics.alerts_config import load_alerts_config, read_alerts_config
from monitor.metrics.collector import StoreCollector, new_registry
from monitor.metrics.server import MetricsServer, start_metrics_server

__all__ = [
    "AlertHost",
    "MetricsServer",
    "SqlAlertStore",
    "StoreCollector",
    "build_evaluator",
    "evaluator_for",
    "load_alerts_config",
    "new_registry",
    "read_alerts_config",
    "start_metrics_server",
]
