"""Check results in the store: writing them, and reading them back as metric history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from checks import CheckResult
from monitor.store.tables import CheckResult as CheckRow


def save_results(
    engine: sa.Engine,
    results: Sequence[CheckResult],
    *,
    run_id: str | None = None,
    pipeline: str | None = None,
    task: str | None = None,
) -> None:
    """Insert one `check_results` row per result, in one transaction."""
    if not results:
        return
    rows = [
        {**r.as_record(), "run_id": run_id, "pipeline": pipeline, "task": task} for r in results
    ]
    with engine.begin() as conn:
        conn.execute(sa.insert(CheckRow), rows)


class StoreMetricHistory:
    """`checks.MetricHistory` over the store's `check_results` (newest first)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def values(
        self, dataset: str, check_name: str, *, before: datetime, limit: int
    ) -> Sequence[tuple[datetime, float]]:
        t = CheckRow.__table__
        stmt = (
            sa.select(t.c.executed_at, t.c.value)
            .where(
                t.c.dataset == dataset,
                t.c.check_name == check_name,
                t.c.executed_at < before,
                t.c.value.is_not(None),
                t.c.outcome != "error",
            )
            .order_by(t.c.executed_at.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(at, float(v)) for at, v in conn.execute(stmt)]

    def last_samples(
        self, dataset: str, check_name: str, *, before: datetime
    ) -> Sequence[Mapping[str, Any]] | None:
        t = CheckRow.__table__
        stmt = (
            sa.select(t.c.samples)
            .where(
                t.c.dataset == dataset,
                t.c.check_name == check_name,
                t.c.executed_at < before,
                t.c.outcome != "error",
            )
            .order_by(t.c.executed_at.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else (row[0] or [])
