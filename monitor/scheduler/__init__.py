"""`riverkeeper serve` and friends: scheduling, recovery, backfill, dead letters.

Entry points (imported lazily; APScheduler and the runner load on first use):

* `Scheduler(project, store, settings)` — `.step(now)` is one pass; `.run_forever()`.
* `SchedulerSettings` — timings of passes, leases, recovery and shutdown.
* `due_slots(schedule, ...)` — which fire times are due and which run (catch-up policy).
* `serve.start(...)` / `serve.run(served)` — the wired service (metrics, lineage, alerts).
* `backfill.plan(...)` / `backfill.execute(...)`, `deadletters.list_letters/replay/purge`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "Scheduler": "scheduler",
    "SchedulerSettings": "settings",
    "Slot": "plan",
    "due_slots": "plan",
}
__all__ = ["Scheduler", "SchedulerSettings", "Slot", "due_slots"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'monitor.scheduler' has no attribute {name!r}")
    return getattr(import_module(f"monitor.scheduler.{_WHERE[name]}"), name)
