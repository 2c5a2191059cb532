"""The example project's data: a deterministic generator and the local customers API."""

from __future__ import annotations

from monitor.demo.api import start_api
from monitor.demo.generate import DemoData, generate, write_files
from monitor.demo.setup import DemoSetup, demo_paths, ensure_api, setup_demo, stop_api

__all__ = [
    "DemoData",
    "DemoSetup",
    "demo_paths",
    "ensure_api",
    "generate",
    "setup_demo",
    "start_api",
    "stop_api",
    "write_files",
]
