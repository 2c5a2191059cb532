"""Prometheus metrics read from the store, and the alert wiring for `serve`."""

from __future__ import annotations

from monitor.metrics.collector import StoreCollector, new_registry
from monitor.metrics.server import MetricsServer, start_metrics_server

__all__ = ["MetricsServer", "StoreCollector", "new_registry", "start_metrics_server"]
