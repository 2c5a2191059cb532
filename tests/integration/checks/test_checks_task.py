"""Checks inside a pipeline task: a DataFrame in flight or a warehouse table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from pydantic import TypeAdapter

from checks import CheckSpec
from monitor.lineage.naming import table_dataset
from monitor.pipeline.retry import never_retried
from monitor.quality import ChecksFailedError, as_outcomes, run_task_checks
from monitor.store.runs import Store
from tests.integration.checks.conftest import NOW

SPECS: TypeAdapter[list[CheckSpec]] = TypeAdapter(list[CheckSpec])
FRAME = pd.DataFrame({"id": [1, 2, 2, None], "amount": [5.0, -1.0, 3.0, 4.0]})


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'store.db'}")


def _stored(store: Store) -> list[tuple[str, str, str, str]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT run_id, task, check_name, outcome FROM check_results ORDER BY id")
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_blocking_failure_fails_the_task_and_is_stored(store: Store) -> None:
    specs = SPECS.validate_python(
        [
            {"type": "duplicates", "column": "id"},
            {"type": "validity", "column": "amount", "min": 0, "block": False},
            {"type": "missing", "column": "id", "severity": "warn"},
        ]
    )
    with pytest.raises(ChecksFailedError) as info:
        run_task_checks(
            specs,
            dataset="pipe.clean",
            now=NOW,
            store_engine=store.engine,
            frame=FRAME,
            key_columns=["id"],
            run_id="r1",
            pipeline="p",
            task="check_clean",
        )
    err = info.value
    assert [r.name for r in err.failed] == ["duplicates(id)"]
    assert str(err).startswith("pipe.clean: 1 blocking check(s) failed: duplicates(id): 1 of 4")
    assert never_retried(err)
    assert _stored(store) == [
        ("r1", "check_clean", "duplicates(id)", "fail"),
        ("r1", "check_clean", "validity(amount)", "fail"),
        ("r1", "check_clean", "missing(id)", "warn"),
    ]


def test_non_blocking_failures_and_warnings_only_record(store: Store) -> None:
    specs = SPECS.validate_python(
        [
            {"type": "validity", "column": "amount", "min": 0, "block": False},
            {"type": "missing", "column": "id", "severity": "warn"},
        ]
    )
    results = run_task_checks(
        specs, dataset="pipe.clean", now=NOW, store_engine=store.engine, frame=FRAME
    )
    assert [r.outcome for r in results] == ["fail", "warn"]
    ref = table_dataset("duckdb:///w.duckdb", "clean", connection="w")
    outcomes = as_outcomes(results, ref)
    assert outcomes[0].expected == "fail when > 0" and outcomes[0].value == 1
    assert outcomes[1].dataset == ref


def test_on_a_warehouse_table_with_the_run_interval(store: Store, engine: sa.Engine) -> None:
    FRAME.assign(
        ts=pd.to_datetime(["2024-01-09 10:00", "2024-01-09 11:00", "2024-01-08 00:00", None])
    ).to_sql("t", engine, index=False)
    specs = SPECS.validate_python([{"type": "row_count"}, {"type": "duplicates", "column": "id"}])
    from datetime import timedelta

    results = run_task_checks(
        specs,
        dataset="w.t",
        now=NOW,
        store_engine=store.engine,
        engine=engine,
        table="t",
        interval=(NOW - timedelta(days=1, hours=12), NOW - timedelta(hours=12)),
        interval_column="ts",
    )
    assert [(r.name, r.value, r.outcome) for r in results] == [
        ("row_count", 2.0, "pass"),
        ("duplicates(id)", 0.0, "pass"),
    ]
    with pytest.raises(ValueError, match="needs a frame, or an engine and a table"):
        run_task_checks(specs, dataset="w.t", now=NOW, store_engine=store.engine)
