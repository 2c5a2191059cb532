"""Backfill: one run per data interval of a range, in order or with bounded parallelism.

Idempotent: an interval that already has a successful run is skipped (unless
`rerun`), one whose latest run failed or was aborted is resumed from its
checkpoints, and one whose run is queued or running elsewhere is left alone.
A second backfill over the same range therefore changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import sqlalchemy as sa

from monitor.errors import UsageError, describe
from monitor.pipeline import intervals
from monitor.pipeline.events import RunState
from monitor.pipeline.runner import Runner
from monitor.store.tables import PipelineRun

RUNS = cast(sa.Table, PipelineRun.__table__)


@dataclass(frozen=True)
class Step:
    interval_start: datetime
    interval_end: datetime
    action: str  # run | resume | skip
    run_id: str | None = None  # the existing run (resume, skip)
    reason: str = ""


@dataclass(frozen=True)
class Outcome:
    step: Step
    state: str  # success | failed | aborted | skipped
    run_id: str | None
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "interval_start": self.step.interval_start.isoformat(),
            "interval_end": self.step.interval_end.isoformat(),
            "action": self.step.action,
            "state": self.state,
            "run_id": self.run_id,
            "error": self.error or self.step.reason or None,
        }


def plan(
    runner: Runner, pipeline: str, start: datetime, end: datetime, *, rerun: bool = False
) -> list[Step]:
    """What a backfill of [start, end] does for each complete interval in it."""
    spec = runner.pipeline(pipeline).spec
    if spec.schedule is None:
        raise UsageError(
            f"pipeline {pipeline!r} has no schedule; backfill cuts intervals from it "
            "(use `riverkeeper run --logical-date` for one run)"
        )
    if end <= start:
        raise UsageError(f"--end ({end.isoformat()}) must be after --start ({start.isoformat()})")
    found = intervals.intervals_between(spec.schedule, start, end)
    if not found:
        raise UsageError(
            f"no complete interval of {pipeline!r} between {start.isoformat()} and "
            f"{end.isoformat()}"
        )
    latest = _latest_runs(runner.store.engine, pipeline, [s for s, _ in found])
    steps = []
    for begin, finish in found:
        runs = latest.get(begin, [])
        succeeded = next((r for r in runs if r[1] == RunState.SUCCESS), None)
        last = runs[0] if runs else None
        if succeeded and not rerun:
            steps.append(Step(begin, finish, "skip", succeeded[0], "already succeeded"))
        elif last and last[1] in (RunState.RUNNING, RunState.QUEUED):
            steps.append(Step(begin, finish, "skip", last[0], f"a run is {last[1]}"))
        elif last and last[1] in (RunState.FAILED, RunState.ABORTED) and not rerun:
            steps.append(Step(begin, finish, "resume", last[0]))
        else:
            steps.append(Step(begin, finish, "run"))
    return steps


def _latest_runs(
    engine: sa.Engine, pipeline: str, starts: list[datetime]
) -> dict[datetime, list[tuple[str, str]]]:
    """interval_start -> [(run id, state)], newest first."""
    c = RUNS.c
    query = (
        sa.select(c.interval_start, c.id, c.state)
        .where(c.pipeline == pipeline, c.interval_start.in_(starts))
        .order_by(c.created_at.desc())
    )
    out: dict[datetime, list[tuple[str, str]]] = {}
    with engine.connect() as conn:
        for begin, run_id, state in conn.execute(query):
            out.setdefault(begin, []).append((run_id, state))
    return out


def execute(
    runner: Runner,
    pipeline: str,
    steps: list[Step],
    *,
    parallel: int = 1,
    on_done: Callable[[Outcome], None] = lambda _: None,
) -> list[Outcome]:
    """Run the steps (in order with parallel=1); `on_done` is called after each."""

    def one(step: Step) -> Outcome:
        if step.action == "skip":
            outcome = Outcome(step, "skipped", step.run_id)
        else:
            try:
                if step.action == "resume":
                    assert step.run_id is not None
                    result = runner.resume(step.run_id)
                else:
                    result = runner.run(
                        pipeline,
                        trigger="backfill",
                        interval=(step.interval_start, step.interval_end),
                    )
                outcome = Outcome(step, str(result.state), result.run_id, result.error)
            except Exception as exc:  # noqa: BLE001 - one interval failing stops nothing
                outcome = Outcome(step, "failed", step.run_id, describe(exc))
        on_done(outcome)
        return outcome

    if parallel <= 1:
        return [one(step) for step in steps]
    with ThreadPoolExecutor(parallel, thread_name_prefix="rk-backfill") as pool:
        return list(pool.map(one, steps))
