"""Run aggregates for the collector, folded in once per run: finished runs never change.

A scrape reads only the runs that finished after a watermark, plus the few
queued or running ones, instead of the whole history. Runs that finished more
than `margin` ago are folded into the cached totals and the watermark moves
up; newer ones are re-read on every scrape, so a run committed a little late
(another process, a slow transaction) is still counted. A new process starts
with no cache and reads everything once, so values are right after a restart.
"""

from __future__ import annotations

import bisect
import copy
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from monitor.metrics import queries as q

FOLD_MARGIN = timedelta(minutes=10)


@dataclass
class PipelineStats:
    runs: dict[str, int] = field(default_factory=dict)  # finished state -> count
    records: dict[str, float] = field(default_factory=dict)  # success|failure|rejected
    buckets: list[int] = field(default_factory=lambda: [0] * len(q.DURATION_BUCKETS))
    count: int = 0  # runs with a duration
    total: float = 0.0  # their seconds
    in_progress: int = 0
    last_started: datetime | None = None
    last_success: datetime | None = None
    lag_at: datetime | None = None  # scheduled time of the newest scheduled, started run
    lag: float | None = None

    def add(self, row: Any) -> None:
        """Count one run (a row of `queries.finished_runs` or `queries.unfinished_runs`)."""
        if row.started_at is not None and (
            self.last_started is None or row.started_at > self.last_started
        ):
            self.last_started = row.started_at
        if row.lag is not None and (self.lag_at is None or row.scheduled_for >= self.lag_at):
            self.lag_at, self.lag = row.scheduled_for, float(row.lag)
        if row.state not in q.RUN_STATES:
            self.in_progress += 1
            return
        self.runs[row.state] = self.runs.get(row.state, 0) + 1
        if row.state not in q.FINISHED:
            return  # aborted: resumed later by another run, which counts its records
        rec = self.records
        rec["success"] = rec.get("success", 0) + row.rows_out
        rec["rejected"] = rec.get("rejected", 0) + row.rows_rejected
        if row.state == "failed":  # read, but neither loaded nor rejected
            lost = max(row.rows_in - row.rows_out - row.rows_rejected, 0)
            rec["failure"] = rec.get("failure", 0) + lost
        if row.state == "success" and (
            self.last_success is None or row.ended_at > self.last_success
        ):
            self.last_success = row.ended_at
        if row.duration is not None:
            seconds = float(row.duration)
            first = bisect.bisect_left(q.DURATION_BUCKETS, seconds)
            for i in range(first, len(self.buckets)):
                self.buckets[i] += 1
            self.count += 1
            self.total += seconds


class RunStats:
    """Per-pipeline run aggregates, cached below a watermark (one per collector)."""

    def __init__(self, margin: timedelta = FOLD_MARGIN) -> None:
        self.margin = margin
        self.base: dict[str, PipelineStats] = {}
        self.watermark: datetime | None = None
        self._lock = threading.Lock()

    def read(self, conn: sa.Connection, now: datetime) -> dict[str, PipelineStats]:
        with self._lock:
            recent = q.finished_runs(conn, self.watermark)
            fold_until = now - self.margin
            if self.watermark is None or fold_until > self.watermark:
                old = [r for r in recent if r.finished_at <= fold_until]
                recent = [r for r in recent if r.finished_at > fold_until]
                _add_all(self.base, old)
                self.watermark = fold_until
            stats = copy.deepcopy(self.base)
        _add_all(stats, recent)
        _add_all(stats, q.unfinished_runs(conn))
        for name in q.pipeline_names(conn):
            stats.setdefault(name, PipelineStats())
        return stats


def _add_all(stats: dict[str, PipelineStats], rows: Iterable[Any]) -> None:
    for row in rows:
        stats.setdefault(row.pipeline, PipelineStats()).add(row)
