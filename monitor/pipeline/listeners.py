"""Telling run listeners (lineage, metrics, the CLI) what a run does."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from monitor.pipeline.events import RunListener

log = logging.getLogger(__name__)


def notify(listeners: Iterable[RunListener], method: str, *args: Any) -> None:
    """Call `method` on every listener; a listener that fails is logged, never fails the run."""
    for listener in listeners:
        try:
            getattr(listener, method)(*args)
        except Exception:
            log.exception("run listener %s.%s failed (ignored)", type(listener).__name__, method)


__all__ = ["notify"]
