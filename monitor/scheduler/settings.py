"""How `serve` schedules: timings of passes, leases, recovery and shutdown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta

# The settings a user may set (flags, RIVERKEEPER_* variables, `scheduler:` in riverkeeper.yaml).
USER_SETTINGS = (
    "workers",
    "tick",
    "lease_ttl",
    "heartbeat",
    "run_lease_timeout",
    "misfire_grace",
    "max_recoveries",
    "shutdown_timeout",
    "watch",
)


@dataclass(frozen=True)
class SchedulerSettings:
    workers: int = 8  # runs at once in this process (each run has its own task pool)
    tick: float = 1.0  # seconds between passes (fire times also wake a pass at once)
    lease_ttl: float = 15.0  # SQLite: how long the scheduler lease row stays valid
    heartbeat: float = 10.0  # seconds between a running run's heartbeats
    run_lease_timeout: float = 60.0  # a running run without heartbeat this long is orphaned
    misfire_grace: float = 10.0  # a fire time this old at take-over still counts as on time
    max_recoveries: int = 3  # an orphaned or stopped scheduled run is requeued this often
    shutdown_timeout: float = 30.0  # SIGTERM: how long running tasks may finish
    watch: bool = True  # reload when a config file changes (SIGHUP always reloads)
    watch_every: float = 2.0
    cleanup_every: float = 600.0  # seconds between workspace retention sweeps
    max_catchup: int = 1000  # slots written per pipeline and pass

    def __post_init__(self) -> None:
        values = asdict(self)
        for name in USER_SETTINGS:
            wrong = problem(name, values)
            if wrong:
                raise ValueError(f"{name} {wrong} (got {values[name]:g}{_unit(name)})")

    @property
    def lease_timeout(self) -> timedelta:
        return timedelta(seconds=self.run_lease_timeout)


def problem(name: str, values: Mapping[str, object]) -> str | None:
    """What is wrong with setting `name` (durations in seconds), given the other settings
    in `values`; None if it is fine. The same rules hold for flags and the config file."""
    value = values[name]
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None  # booleans, or a value that already failed its own type check
    if name == "workers" and value < 1:
        return "must be at least 1"
    if name in ("tick", "heartbeat") and value <= 0:
        return "must be longer than 0s"
    if name in ("misfire_grace", "max_recoveries", "shutdown_timeout") and value < 0:
        return "must not be negative"
    # The lease is renewed once per pass; a shorter lease would lapse between passes.
    if name == "lease_ttl":
        return _longer_than("tick", value, values)
    # A live run whose heartbeat is merely due must not look orphaned.
    if name == "run_lease_timeout":
        return _longer_than("heartbeat", value, values)
    return None


def _longer_than(other: str, value: float, values: Mapping[str, object]) -> str | None:
    limit = values.get(other)
    if isinstance(limit, int | float) and value <= limit:
        return f"must be longer than {other} ({limit:g}s)"
    return None


def _unit(name: str) -> str:
    return "" if name in ("workers", "max_recoveries") else "s"
