"""The example project's data: a deterministic generator and the local customers API
(`monitor.demo.api`, not imported here so `python -m monitor.demo.api` runs cleanly)."""

from __future__ import annotations

from monitor.demo.generate import DemoData, generate, write_files
from monitor.demo.setup import (
    DemoSetup,
    LiveFeed,
    demo_paths,
    ensure_api,
    setup_demo,
    stop_api,
)

__all__ = [
    "DemoData",
    "DemoSetup",
    "LiveFeed",
    "demo_paths",
    "ensure_api",
    "generate",
    "setup_demo",
    "stop_api",
    "write_files",
]
