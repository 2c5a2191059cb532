"""The scheduler of `serve`: lease, due slots, recovery, dispatch to a worker pool.

One pass (`step(now)`) does, in order: reload the config if asked; hold or
take the lease; and, only while holding it, write the due slots and their
queued runs, take over orphaned runs, start queued runs on free workers
(respecting each pipeline's max_active_runs), and sweep old workspaces.
Passes run every `tick` seconds and at once when the timer says a fire time
arrived. Everything it decides is read from and written to the store.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Protocol

from monitor.config.loader import Project
from monitor.config.pipeline import Schedule
from monitor.errors import RiverkeeperError, describe
from monitor.pipeline.events import RunListener
from monitor.pipeline.runner import Runner, utc_now
from monitor.scheduler import configwatch, recovery, slots
from monitor.scheduler.lease import Lease, open_lease
from monitor.scheduler.plan import Slot, due_slots, next_fire
from monitor.scheduler.settings import SchedulerSettings
from monitor.store.runs import Store
from monitor.store.tables import PipelineRun, TaskRun

log = logging.getLogger(__name__)


class Hosted(Protocol):
    """Something `serve` runs on the active scheduler's passes (the alert evaluator)."""

    def tick(self, now: datetime) -> object: ...


class Scheduler:
    def __init__(
        self,
        project: Project,
        store: Store,
        settings: SchedulerSettings,
        *,
        reload: Callable[[], Project] | None = None,
        listeners: Sequence[RunListener] = (),
        clock: Callable[[], datetime] = utc_now,
        lease: Lease | None = None,
        owner: str | None = None,
        control: Store | None = None,
    ) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        # The scheduler's own reads and writes go through `control` (a small pool of
        # its own), so busy runs holding `store` connections never delay a pass.
        self.control = control or store
        self.listeners = list(listeners)
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease = lease or open_lease(
            self.control.engine, self.owner, timedelta(seconds=settings.lease_ttl)
        )
        self.hosted: list[Hosted] = []
        self.active = False
        self.active_since: datetime | None = None
        self._lost_at: datetime | None = None
        self._reloader = reload
        self._reload = threading.Event()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._executing: set[str] = set()
        self._pool = ThreadPoolExecutor(settings.workers, thread_name_prefix="rk-run")
        self._runners: list[Runner] = []
        self._next_due: dict[str, datetime] = {}
        self._fresh: list[slots.QueuedRun] = []
        self._caught_up = False
        self._first_seen: dict[str, datetime] = {}
        self._watched: dict[str, tuple[int, int]] = {}
        self._next_watch = 0.0
        self._next_cleanup = 0.0
        from monitor.scheduler.timer import Timer

        self.timer = Timer(self.wake)
        self._use(project, clock())

    # -- control (signal handlers call these; they only set flags) ---------------
    def wake(self, pipeline: str | None = None) -> None:
        self._wake.set()

    def request_reload(self) -> None:
        self._reload.set()
        self._wake.set()

    def request_stop(self) -> None:
        self._stop.set()
        self._wake.set()

    @property
    def executing(self) -> set[str]:
        with self._lock:
            return set(self._executing)

    def run_forever(self) -> None:
        """Pass after pass until `request_stop`; then call `shutdown`."""
        self.timer.start()
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.step(self.clock())
            except Exception as exc:  # noqa: BLE001 - e.g. the store is restarting: next pass
                log.warning("scheduler pass failed (%s); retrying", describe(exc))
            self._wake.wait(self.settings.tick)
        self.timer.stop()

    # -- one pass -------------------------------------------------------------------
    def step(self, now: datetime) -> None:
        self._maybe_reload(now)
        self._hold_lease(now)
        if not self.active:
            return
        self._plan(now)
        self._recover(now)
        self._dispatch(now)
        for hosted in self.hosted:
            try:
                hosted.tick(now)
            except Exception:
                log.exception("%s.tick failed (ignored)", type(hosted).__name__)
        self._cleanup(now)

    def _use(self, project: Project, now: datetime) -> None:
        self.project = project
        self.runner = Runner(
            project,
            self.store,
            listeners=self.listeners,
            now=self.clock,
            heartbeat_every=self.settings.heartbeat,
        )
        if self._stop.is_set():
            self.runner.stop_requested.set()
        self._runners.append(self.runner)
        self.schedules: dict[str, Schedule] = {
            name: p.spec.schedule for name, p in project.pipelines.items() if p.spec.schedule
        }
        for name in self.schedules:
            self._first_seen.setdefault(name, now)
        self._next_due.clear()
        self.timer.load(self.schedules)
        if self.settings.watch:
            self._watched = configwatch.snapshot(project.config_dir)

    def _maybe_reload(self, now: datetime) -> None:
        changed = False
        if self.settings.watch and self._reloader and time.monotonic() >= self._next_watch:
            self._next_watch = time.monotonic() + self.settings.watch_every
            changed = configwatch.snapshot(self.project.config_dir) != self._watched
        if not (changed or self._reload.is_set()) or self._reloader is None:
            return
        self._reload.clear()
        try:
            project = self._reloader()
        except RiverkeeperError as exc:
            log.error("config reload failed; the running config stays:\n%s", exc)
            self._watched = configwatch.snapshot(self.project.config_dir)
            return
        for p in project.pipelines.values():
            schedule = p.spec.schedule.model_dump(mode="json") if p.spec.schedule else None
            digest = hashlib.sha256(p.path.read_bytes()).hexdigest()
            self.control.sync_pipeline(p.name, p.spec.description, schedule, digest, now)
        before = set(self.project.pipelines)
        self._use(project, now)
        added, removed = set(project.pipelines) - before, before - set(project.pipelines)
        log.warning(
            "config reloaded: %d pipelines (added: %s; removed: %s)",
            len(project.pipelines),
            ", ".join(sorted(added)) or "none",
            ", ".join(sorted(removed)) or "none",
        )

    def _hold_lease(self, now: datetime) -> None:
        if self.active:
            if self.lease.renew(now):
                return
            self.active, self._lost_at = False, now
            log.warning("lost the scheduler lease; standing by")
        if not self.lease.acquire(now):
            return
        recently = self._lost_at and now - self._lost_at <= self.settings.lease_timeout
        # After a brief loss (a store restart) this process was ready all along.
        self.active_since = self._lost_at if recently and self._lost_at else now
        self.active, self._lost_at = True, None
        self._next_due.clear()
        self._caught_up, self._fresh = False, []
        log.warning("scheduler active (%s), %d schedules", self.owner, len(self.schedules))

    def _plan(self, now: datetime) -> None:
        due = [n for n in self.schedules if n not in self._next_due or now >= self._next_due[n]]
        if not due:
            return
        assert self.active_since is not None
        last = slots.last_slots(self.control.engine)
        grace = timedelta(seconds=self.settings.misfire_grace)
        found: dict[str, list[Slot]] = {}
        next_due: dict[str, datetime] = {}
        for name in due:
            schedule = self.schedules[name]
            found[name] = due_slots(
                schedule,
                last=last.get(name),
                active_since=self.active_since,
                first_seen=self._first_seen[name],
                now=now,
                misfire_grace=grace,
                limit=self.settings.max_catchup,
            )
            more = len(found[name]) >= self.settings.max_catchup
            next_due[name] = now if more else next_fire(schedule, now)
        fresh: list[slots.QueuedRun] = []
        created = slots.record_many(self.control, found, self._prepare, now, fresh)
        if sum(map(len, created.values())) == len(fresh):
            self._fresh += fresh  # dispatched without reading them back (when caught up)
        else:
            self._caught_up = False
        self._next_due.update(next_due)  # only once written: a failed write is retried
        for name, written in found.items():
            if written:
                missed = sum(not s.run for s in written)
                runs = len(created.get(name, []))
                log.info("%s: %d runs queued, %d slots missed", name, runs, missed)

    def _prepare(self, pipeline: str, slot: Slot) -> tuple[PipelineRun, list[TaskRun]]:
        return self.runner.prepare(
            pipeline,
            trigger="schedule",
            scheduled_for=slot.scheduled_for,
            interval=(slot.interval_start, slot.interval_end),
        )

    def _recover(self, now: datetime) -> None:
        found = recovery.candidates(
            self.control.engine, now, self.settings.lease_timeout, self.executing
        )
        for run in found:
            state = recovery.take_over(self.control.engine, run, now, self.settings.max_recoveries)
            if state:
                self._caught_up = False
                log.warning(
                    "run %s of %s: %s -> %s", run.run_id, run.pipeline, run.reason(now), state
                )

    def _dispatch(self, now: datetime) -> None:
        free = self.settings.workers - len(self.executing)
        if free <= 0:
            return
        # Caught up (the last dispatch left nothing queued and nothing was requeued since):
        # the only queued runs are the ones this pass wrote, so no need to read them.
        fast = self._caught_up and bool(self._fresh)
        limit = free * 4 + 20
        queued = self._fresh if fast else slots.queued_runs(self.control, limit=limit)
        self._fresh = []
        if not queued:
            self._caught_up = True
            return
        running = slots.running_counts(self.control.engine)
        chosen: list[slots.QueuedRun] = []
        for run in queued:
            if len(chosen) >= free:
                break
            pipeline = self.project.pipelines.get(run.pipeline)
            if pipeline is None:
                continue  # removed from the config: stays queued until it comes back
            limit = pipeline.spec.schedule.max_active_runs if pipeline.spec.schedule else 1
            if running.get(run.pipeline, 0) >= limit:
                continue
            running[run.pipeline] = running.get(run.pipeline, 0) + 1
            chosen.append(run)
        claimed = self.clock()  # not the pass's `now`: planning took time
        won = slots.claim(self.control.engine, [r.run_id for r in chosen], self.owner, claimed)
        self._caught_up = len(won) == len(queued) and (fast or len(queued) < limit)
        for run in chosen:
            if run.run_id not in won:
                continue
            with self._lock:
                self._executing.add(run.run_id)
            self._pool.submit(self._work, self.runner, run, claimed)

    def _work(self, runner: Runner, queued: slots.QueuedRun, claimed: datetime) -> None:
        run_id = queued.run_id
        try:
            if queued.resumed:  # it ran before: reuse the checkpoints of what succeeded
                result = runner.start(run_id, trigger="resume")
            else:  # fresh: no store read first
                result = runner.execute(queued.run, queued.task_run_ids, started=claimed)
            log.info("run %s of %s: %s", run_id, result.pipeline, result.state)
        except Exception:
            log.exception(
                "run %s crashed; it is recovered once its heartbeat lease expires", run_id
            )
        finally:
            with self._lock:
                self._executing.discard(run_id)
            self._wake.set()  # a worker is free: dispatch the next queued run

    def _cleanup(self, now: datetime) -> None:
        retention = self.project.spec.defaults.retention
        if retention is None or time.monotonic() < self._next_cleanup:
            return
        self._next_cleanup = time.monotonic() + self.settings.cleanup_every
        removed = self.runner.workspace.clean(
            retention.total_seconds(), now.timestamp(), keep=self.executing
        )
        if removed:
            log.info("removed %d run workspaces older than %s", len(removed), retention)

    # -- shutdown --------------------------------------------------------------------
    def shutdown(self, timeout: float | None = None) -> list[str]:
        """Stop: no new runs; tasks not started end aborted; running tasks get `timeout`
        seconds, then their runs are marked aborted (resumable). Returns those run ids."""
        self._stop.set()
        self.timer.stop()
        for runner in self._runners:
            runner.stop_requested.set()
        deadline = time.monotonic() + (
            self.settings.shutdown_timeout if timeout is None else timeout
        )
        while self.executing and time.monotonic() < deadline:
            time.sleep(0.05)
        left = sorted(self.executing)
        if left:
            reason = f"stopped: still running {self.settings.shutdown_timeout:g}s after SIGTERM"
            recovery.abort(self.control.engine, left, self.clock(), reason)
        self._pool.shutdown(wait=not left, cancel_futures=True)
        if self.active:
            self.lease.release()
            self.active = False
        return left
