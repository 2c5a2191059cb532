"""Scheduler passes on a real store (SQLite and PostgreSQL), with the clock passed in:
catch-up, the lease between two schedulers, orphan recovery, shutdown, reload."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from monitor.scheduler import slots
from monitor.scheduler.plan import Slot
from monitor.scheduler.scheduler import Scheduler
from monitor.scheduler.settings import SchedulerSettings
from monitor.service import open_project, open_store
from tests.integration.scheduler.sched_projects import (
    Clock,
    csv_to_table,
    write_pipeline,
    write_project,
)

FAST = {"tick": 0.05, "heartbeat": 0.2, "run_lease_timeout": 1.0, "misfire_grace": 0.0}
EVERY_MINUTE = {"every": "1m"}


class Env:
    def __init__(self, tmp_path: Path, store_url: str, pipelines: dict[str, Any]) -> None:
        self.config = write_project(tmp_path, store_url, pipelines)
        self.project = open_project(self.config, env={})
        self.store = open_store(self.project)
        self.clock = Clock()
        self.made: list[Scheduler] = []

    def scheduler(self, **settings: Any) -> Scheduler:
        sched = Scheduler(
            self.project,
            self.store,
            SchedulerSettings(watch=False, **{**FAST, **settings}),
            clock=self.clock,
            reload=lambda: open_project(self.config, env={}),
        )
        self.made.append(sched)
        return sched

    def settle(self, sched: Scheduler, timeout: float = 20) -> None:
        """Passes until nothing is queued or running."""
        deadline = time.monotonic() + timeout
        while True:
            sched.step(self.clock())
            if not sched.executing and not slots.queued_runs(self.store, 1):
                return
            assert time.monotonic() < deadline, "runs did not finish"
            time.sleep(0.05)

    def runs(self, where: str = "true", **params: Any) -> list[sa.Row[Any]]:
        from monitor.store.tables import PipelineRun as R

        query = (
            sa.select(R.pipeline, R.scheduled_for, R.state, R.trigger, R.error, R.id)
            .where(sa.text(where).bindparams(**params))
            .order_by(R.pipeline, R.scheduled_for)
        )
        with self.store.engine.connect() as conn:
            return list(conn.execute(query))

    def close(self) -> None:
        for sched in self.made:
            sched.shutdown(timeout=5)
        self.store.close()


@pytest.fixture
def env_factory(tmp_path: Path, store_url: str):  # type: ignore[no-untyped-def]
    made: list[Env] = []

    def make(pipelines: dict[str, Any]) -> Env:
        made.append(Env(tmp_path, store_url, pipelines))
        return made[-1]

    yield make
    for env in made:
        env.close()


def test_catch_up_after_downtime_follows_each_policy(env_factory: Any) -> None:
    env = env_factory(
        {
            f"p_{c}": csv_to_table(f"t_{c}", {**EVERY_MINUTE, "catchup": c})
            for c in ("all", "latest", "none")
        }
    )
    t0 = env.clock.at.replace(second=0)
    env.clock.at = t0 + timedelta(seconds=10)
    first = env.scheduler()
    env.settle(first)
    assert env.runs() == []  # nothing is due before the first fire time
    env.clock.at = t0 + timedelta(minutes=1, seconds=1)
    env.settle(first)
    assert len(env.runs("state = 'success'")) == 3
    first.shutdown()
    env.clock.at = t0 + timedelta(minutes=5, seconds=30)  # fires at +2..+5 pass while down
    second = env.scheduler()
    env.settle(second)
    scheduled = {
        name: [int((r.scheduled_for - t0).total_seconds() // 60) for r in env.runs(
            "pipeline = :p", p=name)]
        for name in ("p_all", "p_latest", "p_none")
    }  # fmt: skip
    assert scheduled == {"p_all": [1, 2, 3, 4, 5], "p_latest": [1, 5], "p_none": [1]}
    assert {r.state for r in env.runs()} == {"success"}
    env.clock.at = t0 + timedelta(minutes=6, seconds=1)  # back on time: every policy runs
    env.settle(second)
    assert len(env.runs("scheduled_for = :t", t=t0 + timedelta(minutes=6))) == 3


def test_only_one_of_two_schedulers_is_active_and_a_slot_is_written_once(
    env_factory: Any,
) -> None:
    env = env_factory({"p": csv_to_table("t", EVERY_MINUTE)})
    a, b = env.scheduler(lease_ttl=2), env.scheduler(lease_ttl=2)
    a.step(env.clock())
    b.step(env.clock())
    assert (a.active, b.active) == (True, False)
    # the unique slot: writing the same slot again creates nothing
    at = env.clock.at.replace(second=0) + timedelta(hours=1)  # not due yet: written by hand
    slot = Slot(at, at - timedelta(minutes=1), at, run=True)
    prepare = a._prepare
    assert len(slots.record_slots(env.store, "p", [slot], prepare, at)) == 1
    assert slots.record_slots(env.store, "p", [slot], prepare, at) == []
    assert len(env.runs()) == 1
    # the active one stops renewing (it died): the standby takes over
    if env.store.engine.dialect.name == "postgresql":
        a.lease._drop()  # type: ignore[attr-defined]
    env.clock.advance(seconds=3)
    b.step(env.clock())
    assert b.active
    a.step(env.clock())
    assert not a.active


def _wait_task_running(env: Env, task: str) -> None:
    deadline = time.monotonic() + 15
    with env.store.engine.connect() as conn:
        while not conn.execute(
            sa.text("select count(*) from task_runs where task = :t and state = 'running'"),
            {"t": task},
        ).scalar_one():
            assert time.monotonic() < deadline, f"{task} did not start"
            time.sleep(0.02)
            conn.rollback()


def _tamper_into_orphan(env: Env, run_id: str, heartbeat_age: float) -> None:
    """What a kill -9 during the load leaves: running, old heartbeat, load running."""
    with env.store.engine.begin() as conn:
        conn.execute(
            sa.text("update pipeline_runs set state = 'running', heartbeat_at = :h where id = :r"),
            {"h": env.clock() - timedelta(seconds=heartbeat_age), "r": run_id},
        )
        conn.execute(
            sa.text("update task_runs set state = 'running' where run_id = :r and task = 'load'"),
            {"r": run_id},
        )
        conn.execute(
            sa.text(
                "update task_attempts set state = 'running', ended_at = null "
                "where run_id = :r and task = 'load'"
            ),
            {"r": run_id},
        )


def test_an_orphaned_scheduled_run_is_taken_over_and_resumed_from_checkpoints(
    env_factory: Any,
) -> None:
    env = env_factory({"p": csv_to_table("t", EVERY_MINUTE)})
    sched = env.scheduler()
    result = sched.runner.run("p", trigger="schedule", scheduled_for=env.clock())
    _tamper_into_orphan(env, result.run_id, heartbeat_age=0.5)
    sched.step(env.clock())
    assert env.runs()[0].state == "running"  # the lease (1 s) has not expired yet
    env.clock.advance(seconds=2)
    env.settle(sched)
    run = env.runs()[0]
    assert run.state == "success"
    with env.store.engine.connect() as conn:
        tries = conn.execute(
            sa.text("select task, state, error from task_attempts where run_id = :r order by id"),
            {"r": run.id},
        ).all()
        recovery = conn.execute(sa.text("select recoveries, last_reason from run_recoveries")).one()
    assert [(t.task, t.state) for t in tries] == [
        ("ex", "success"),
        ("load", "aborted"),
        ("load", "success"),
    ]
    assert tries[1].error.startswith("orphaned: no heartbeat since ")
    assert recovery.recoveries == 1


def test_orphans_past_their_recovery_budget_fail_and_manual_ones_wait_for_resume(
    env_factory: Any,
) -> None:
    env = env_factory({"p": csv_to_table("t", EVERY_MINUTE)})
    sched = env.scheduler(max_recoveries=0)
    scheduled = sched.runner.run("p", trigger="schedule", scheduled_for=env.clock())
    manual = sched.runner.run("p")
    for run in (scheduled, manual):
        _tamper_into_orphan(env, run.run_id, heartbeat_age=5)
    sched.step(env.clock())
    states = {r.trigger: (r.state, r.error) for r in env.runs()}
    assert states["schedule"][0] == "failed"
    assert states["schedule"][1].endswith("; gave up after 0 recoveries")
    assert states["manual"][0] == "aborted"
    assert states["manual"][1].endswith("; resume with `riverkeeper run --resume`")


def test_shutdown_lets_running_tasks_finish_aborts_the_rest_and_a_new_scheduler_resumes(
    env_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RK_TEST_SLOW", "0.8")
    env = env_factory({"p": csv_to_table("t", EVERY_MINUTE, transform="slow")})
    env.clock.at = env.clock.at.replace(second=59)
    first = env.scheduler()
    first.step(env.clock())
    env.clock.advance(seconds=2)
    first.step(env.clock())  # dispatches the run; 'tr' sleeps 0.8 s
    _wait_task_running(env, "tr")
    assert first.shutdown(timeout=10) == []  # 'tr' finished within the timeout
    run = env.runs()[0]
    assert (run.state, run.error) == ("aborted", "stopped before load ran")
    second = env.scheduler()
    env.settle(second)
    assert env.runs()[0].state == "success"
    with env.store.engine.connect() as conn:
        tr_attempts = conn.execute(
            sa.text("select count(*) from task_attempts where task = 'tr'")
        ).scalar_one()
    assert tr_attempts == 1  # its checkpoint was reused


def test_a_shutdown_timeout_marks_still_running_runs_aborted(
    env_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RK_TEST_SLOW", "1.5")
    env = env_factory({"p": csv_to_table("t", EVERY_MINUTE, transform="slow")})
    env.clock.at = env.clock.at.replace(second=59)
    sched = env.scheduler(shutdown_timeout=0.2)
    sched.step(env.clock())
    env.clock.advance(seconds=2)
    sched.step(env.clock())
    _wait_task_running(env, "tr")
    left = sched.shutdown()
    assert left == [env.runs()[0].id]
    run = env.runs()[0]
    assert (run.state, run.error) == ("aborted", "stopped: still running 0.2s after SIGTERM")
    time.sleep(1.6)  # the task thread ends; the run stays aborted (resumable)
    assert env.runs()[0].state == "aborted"


def test_reload_picks_up_a_new_pipeline_and_keeps_running_on_a_broken_config(
    env_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    env = env_factory({"p": csv_to_table("t", EVERY_MINUTE)})
    sched = env.scheduler()
    sched.step(env.clock())
    write_pipeline(env.config, "q", csv_to_table("t2", {"every": "5m"}))
    sched.request_reload()
    sched.step(env.clock())
    assert set(sched.schedules) == {"p", "q"}
    (env.config / "pipelines" / "r.yaml").write_text("tasks: {bad: {type: nope}}\n")
    sched.request_reload()
    with caplog.at_level(logging.ERROR, logger="monitor.scheduler.scheduler"):
        sched.step(env.clock())
    assert set(sched.schedules) == {"p", "q"}
    assert "config reload failed; the running config stays:" in caplog.text
    assert "r.yaml:1:" in caplog.text


def test_max_active_runs_bounds_a_catch_up(
    env_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RK_TEST_SLOW", "0.5")
    schedule = {**EVERY_MINUTE, "catchup": "all", "max_active_runs": 2}
    env = env_factory({"p": csv_to_table("t", schedule, transform="slow")})
    t0 = env.clock.at.replace(second=0)
    env.clock.at = t0 + timedelta(seconds=5)
    sched = env.scheduler()
    sched.step(env.clock())
    env.clock.at = t0 + timedelta(minutes=1, seconds=1)
    env.settle(sched)
    sched.shutdown()
    env.clock.at = t0 + timedelta(minutes=5, seconds=5)
    second = env.scheduler()
    second.step(env.clock())
    states = sorted(r.state for r in env.runs())
    assert states == ["queued", "queued", "running", "running", "success"]
    env.settle(second)
    assert [r.state for r in env.runs()] == ["success"] * 5
