"""Alerts defined once: rule models, Prometheus rendering, the built-in evaluator, notifiers."""

from __future__ import annotations

from alerts.config import AlertsConfig
from alerts.config import AlertsConfig as AlertsFile  # the file model, for `riverkeeper schema`
from alerts.evaluator import Evaluator, TickResult
from alerts.notify import build_notifiers
from alerts.render import render, render_alertmanager, render_rules
from alerts.state import MemoryStateStore, StateStore

__all__ = [
    "AlertsConfig",
    "AlertsFile",
    "Evaluator",
    "MemoryStateStore",
    "StateStore",
    "TickResult",
    "build_notifiers",
    "render",
    "render_alertmanager",
    "render_rules",
]
