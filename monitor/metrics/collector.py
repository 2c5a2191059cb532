"""One custom prometheus-client Collector that reads the store at scrape time.

Nothing is counted in memory: every value comes from the store, so a restart
(of `serve` or of the machine) shows the same numbers right away, and a run
started from the CLI counts the same as one started by the scheduler.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import sqlalchemy as sa
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry

from alerts import metrics as m
from monitor.metrics import queries as q

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


class StoreCollector(Collector):
    """Exports the store as Prometheus metrics; see `alerts.metrics` for the names."""

    def __init__(self, engine: sa.Engine, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.clock = clock

    def describe(self) -> list[Metric]:
        return []  # no query at registration time

    def collect(self) -> Iterator[Metric]:
        yield from self.collect_at(self.clock())

    def collect_at(self, now: datetime) -> list[Metric]:
        """Every metric family as of `now` (the evaluator calls this too)."""
        started = time.perf_counter()
        up = GaugeMetricFamily(m.STORE_UP, "1 if the last read of the store succeeded.")
        try:
            with self.engine.connect() as conn:
                families = self._read(conn, now)
            up.add_metric([], 1)
        except sa.exc.SQLAlchemyError as exc:
            log.warning(
                "metrics: cannot read the store at %s: %s",
                self.engine.url.render_as_string(hide_password=True),
                exc,
            )
            families = []
            up.add_metric([], 0)
        took = GaugeMetricFamily(m.SCRAPE_DURATION, "Seconds the last read of the store took.")
        took.add_metric([], time.perf_counter() - started)
        return [*families, up, took]

    def _read(self, conn: sa.Connection, now: datetime) -> list[Metric]:
        return [
            *self._runs(conn),
            self._durations(conn),
            self._queue(conn),
            *self._checks(conn, now),
            self._lag(conn),
            *self._outbox(conn, now),
        ]

    def _runs(self, conn: sa.Connection) -> list[Metric]:
        pipelines = set(q.pipeline_names(conn))
        rows = q.runs_by_state(conn)
        pipelines.update(r.pipeline for r in rows)
        runs: dict[tuple[str, str], float] = {(p, s): 0 for p in pipelines for s in m.RUN_STATUSES}
        records: dict[tuple[str, str], float] = {
            (p, s): 0 for p in pipelines for s in m.RECORD_STATUSES
        }
        active: dict[str, float] = dict.fromkeys(pipelines, 0)
        last_run: dict[str, float] = {}
        last_ok: dict[str, float] = {}
        for r in rows:
            if r.state in m.RUN_STATUSES:
                runs[r.pipeline, r.state] = r.runs
            else:
                active[r.pipeline] += r.runs
            if r.state in q.FINISHED:
                records[r.pipeline, "success"] += r.rows_out
                records[r.pipeline, "rejected"] += r.rows_rejected
            if r.state == "failed":  # what a failed run read and neither loaded nor rejected
                records[r.pipeline, "failure"] += max(r.rows_in - r.rows_out - r.rows_rejected, 0)
            started = _ts(r.last_started)
            if started is not None:
                last_run[r.pipeline] = max(last_run.get(r.pipeline, started), started)
            if r.state == "success" and r.last_ended is not None:
                last_ok[r.pipeline] = r.last_ended.timestamp()

        total = CounterMetricFamily(
            m.RUNS_TOTAL, "Finished pipeline runs by final state.", labels=["pipeline", "status"]
        )
        for (pipeline, status), n in sorted(runs.items()):
            total.add_metric([pipeline, status], n)
        progress = GaugeMetricFamily(
            m.RUNS_IN_PROGRESS, "Runs queued or running.", labels=["pipeline"]
        )
        for pipeline, n in sorted(active.items()):
            progress.add_metric([pipeline], n)
        processed = CounterMetricFamily(
            m.RECORDS_PROCESSED_TOTAL,
            "Records of finished runs: loaded (success), lost in a failed run (failure), "
            "dead-lettered (rejected).",
            labels=["pipeline", "status"],
        )
        for (pipeline, status), n in sorted(records.items()):
            processed.add_metric([pipeline, status], n)
        started_g = GaugeMetricFamily(
            m.LAST_RUN, "Unix time the newest run started.", labels=["pipeline"]
        )
        for pipeline, ts in sorted(last_run.items()):
            started_g.add_metric([pipeline], ts)
        ok_g = GaugeMetricFamily(
            m.LAST_SUCCESS, "Unix time the newest successful run ended.", labels=["pipeline"]
        )
        for pipeline, ts in sorted(last_ok.items()):
            ok_g.add_metric([pipeline], ts)
        return [total, progress, processed, started_g, ok_g]

    def _durations(self, conn: sa.Connection) -> Metric:
        hist = HistogramMetricFamily(
            m.PROCESSING_DURATION, "Duration of finished pipeline runs.", labels=["pipeline"]
        )
        for r in sorted(q.durations(conn), key=lambda r: str(r.pipeline)):
            buckets = [
                (repr(float(le)), float(r._mapping[f"le_{i}"] or 0))
                for i, le in enumerate(q.DURATION_BUCKETS)
            ]
            buckets.append(("+Inf", float(r.n)))
            hist.add_metric([r.pipeline], buckets, float(r.total or 0.0))
        return hist

    def _queue(self, conn: sa.Connection) -> Metric:
        queue = GaugeMetricFamily(
            m.RECORDS_IN_QUEUE, "Dead-lettered records waiting for replay.", labels=["pipeline"]
        )
        for r in sorted(q.waiting_dead_letters(conn), key=lambda r: str(r.pipeline)):
            queue.add_metric([r.pipeline], r.n)
        return queue

    def _checks(self, conn: sa.Connection, now: datetime) -> list[Metric]:
        labels = ["dataset", "check", "severity"]
        status = GaugeMetricFamily(
            m.CHECK_STATUS,
            "Latest outcome of a check: 0 pass (or learning), 1 warn, 2 fail, 3 error.",
            labels=labels,
        )
        value = GaugeMetricFamily(
            m.CHECK_VALUE, "Latest measured value of a check.", labels=["dataset", "check"]
        )
        last = GaugeMetricFamily(
            m.CHECK_LAST_RUN, "Unix time a check last ran.", labels=["dataset", "check"]
        )
        fresh = GaugeMetricFamily(
            m.DATA_FRESHNESS,
            "Age of the newest data of a dataset, from its latest freshness check.",
            labels=["pipeline", "dataset"],
        )
        for r in q.latest_checks(conn):
            status.add_metric([r.dataset, r.check_name, r.severity], m.outcome_code(r.outcome))
            last.add_metric([r.dataset, r.check_name], r.executed_at.timestamp())
            if r.value is None:
                continue
            value.add_metric([r.dataset, r.check_name], r.value)
            if r.check_type == "freshness":  # its value is the age (s) when it ran
                age = r.value + max((now - r.executed_at).total_seconds(), 0.0)
                fresh.add_metric([r.pipeline or "", r.dataset], age)
        return [status, value, last, fresh]

    def _lag(self, conn: sa.Connection) -> Metric:
        lag = GaugeMetricFamily(
            m.SCHEDULER_LAG,
            "Start minus scheduled time of the newest scheduled run.",
            labels=["pipeline"],
        )
        for r in sorted(q.scheduler_lag(conn), key=lambda r: str(r.pipeline)):
            lag.add_metric([r.pipeline], float(r.lag))
        return lag

    def _outbox(self, conn: sa.Connection, now: datetime) -> list[Metric]:
        pending, oldest = q.outbox_backlog(conn)
        count = GaugeMetricFamily(m.OUTBOX_PENDING, "OpenLineage events not yet delivered.")
        count.add_metric([], pending)
        age = GaugeMetricFamily(
            m.OUTBOX_OLDEST_AGE, "Age of the oldest undelivered OpenLineage event (0 if none)."
        )
        age.add_metric([], 0.0 if oldest is None else max((now - oldest).total_seconds(), 0.0))
        return [count, age]


def new_registry(engine: sa.Engine, clock: Clock = utcnow) -> CollectorRegistry:
    """A registry of its own (never the global default) holding only the store collector."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(engine, clock))
    return registry
