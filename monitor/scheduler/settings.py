"""How `serve` schedules: timings of passes, leases, recovery and shutdown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


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
        if self.run_lease_timeout <= self.heartbeat:
            raise ValueError(
                f"run lease timeout ({self.run_lease_timeout:g}s) must be longer than "
                f"the heartbeat interval ({self.heartbeat:g}s)"
            )
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1 (got {self.workers})")

    @property
    def lease_timeout(self) -> timedelta:
        return timedelta(seconds=self.run_lease_timeout)
