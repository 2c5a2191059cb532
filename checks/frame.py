"""Checks on a pandas DataFrame: the same compiled SQL, run by DuckDB over the frame."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from checks.engine import run_suite
from checks.result import CheckResult, MetricHistory, SuiteRun
from checks.specs import CheckSpec

FRAME_TABLE = "frame"


def run_suite_on_frame(
    frame: pd.DataFrame,
    specs: Sequence[CheckSpec],
    *,
    dataset: str,
    now: datetime,
    table: str = FRAME_TABLE,
    frames: Mapping[str, pd.DataFrame] | None = None,
    **kwargs: Any,
) -> SuiteRun:
    """Register `frame` (zero copy) as a view `table` in an in-memory DuckDB and run the suite.

    `frames` adds more views by name, e.g. for reference checks (`to.dataset`).
    """
    engine = sa.create_engine("duckdb:///:memory:", poolclass=StaticPool)
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            for name, df in {table: frame, **(frames or {})}.items():
                source = f"rk_src_{len(name)}_{abs(hash(name))}"
                raw.register(source, df)
                view = sa.table(name)
                conn.exec_driver_sql(
                    f"CREATE VIEW {conn.dialect.identifier_preparer.format_table(view)} "
                    f"AS SELECT * FROM {source}"
                )
            conn.commit()
        return run_suite(engine, table, specs, dataset=dataset, now=now, **kwargs)
    finally:
        engine.dispose()


def run_checks_on_frame(
    frame: pd.DataFrame,
    specs: Sequence[CheckSpec],
    *,
    dataset: str,
    now: datetime,
    history: MetricHistory | None = None,
    **kwargs: Any,
) -> list[CheckResult]:
    """`run_suite_on_frame(...)`'s results."""
    return run_suite_on_frame(
        frame, specs, dataset=dataset, now=now, history=history, **kwargs
    ).results
