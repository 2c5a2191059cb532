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
from monitor.metrics.runstats import PipelineStats, RunStats

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
        self.runs = RunStats()

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
        stats = self.runs.read(conn, now)
        return [
            *self._runs(stats),
            self._durations(stats),
            self._queue(conn),
            *self._checks(conn, now),
            self._lag(stats),
            *self._outbox(conn, now),
        ]

    def _runs(self, stats: dict[str, PipelineStats]) -> list[Metric]:
        total = CounterMetricFamily(
            m.RUNS_TOTAL, "Finished pipeline runs by final state.", labels=["pipeline", "status"]
        )
        progress = GaugeMetricFamily(
            m.RUNS_IN_PROGRESS, "Runs queued or running.", labels=["pipeline"]
        )
        processed = CounterMetricFamily(
            m.RECORDS_PROCESSED_TOTAL,
            "Records of finished runs: loaded (success), lost in a failed run (failure), "
            "dead-lettered (rejected).",
            labels=["pipeline", "status"],
        )
        started = GaugeMetricFamily(
            m.LAST_RUN, "Unix time the newest run started.", labels=["pipeline"]
        )
        ok = GaugeMetricFamily(
            m.LAST_SUCCESS, "Unix time the newest successful run ended.", labels=["pipeline"]
        )
        for pipeline, st in sorted(stats.items()):
            for status in sorted(m.RUN_STATUSES):  # zeros too: rate() needs a baseline
                total.add_metric([pipeline, status], st.runs.get(status, 0))
            for status in sorted(m.RECORD_STATUSES):
                processed.add_metric([pipeline, status], st.records.get(status, 0))
            progress.add_metric([pipeline], st.in_progress)
            if st.last_started is not None:
                started.add_metric([pipeline], st.last_started.timestamp())
            if st.last_success is not None:
                ok.add_metric([pipeline], st.last_success.timestamp())
        return [total, progress, processed, started, ok]

    def _durations(self, stats: dict[str, PipelineStats]) -> Metric:
        hist = HistogramMetricFamily(
            m.PROCESSING_DURATION, "Duration of finished pipeline runs.", labels=["pipeline"]
        )
        for pipeline, st in sorted(stats.items()):
            if not st.count:
                continue
            buckets = [
                (repr(le), float(n)) for le, n in zip(q.DURATION_BUCKETS, st.buckets, strict=True)
            ]
            buckets.append(("+Inf", float(st.count)))
            hist.add_metric([pipeline], buckets, round(st.total, 6))
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

    def _lag(self, stats: dict[str, PipelineStats]) -> Metric:
        lag = GaugeMetricFamily(
            m.SCHEDULER_LAG,
            "Start minus scheduled time of the newest scheduled run.",
            labels=["pipeline"],
        )
        for pipeline, st in sorted(stats.items()):
            if st.lag is not None:
                lag.add_metric([pipeline], st.lag)
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
