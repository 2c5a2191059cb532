"""Results in the store (`check_results`) and the metric history read back from it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import TypeAdapter

from checks import CheckSpec, run_suite
from monitor.errors import ConfigError
from monitor.quality import StoreMetricHistory, read_checks_config, save_results
from monitor.store.runs import Store
from tests.integration.checks.conftest import NOW

SPECS: TypeAdapter[list[CheckSpec]] = TypeAdapter(list[CheckSpec])


def test_saved_results_become_history_for_anomalies_and_schema(
    store_url: str, tmp_path: Path
) -> None:
    store = Store.open(store_url)
    data = sa.create_engine(f"sqlite:///{tmp_path / 'd.sqlite'}")
    t = sa.Table("ev", sa.MetaData(), sa.Column("id", sa.Integer))
    t.create(data)
    specs = SPECS.validate_python(
        [
            {"type": "row_count", "name": "rows"},
            {"type": "schema"},
            {"type": "anomaly", "check": "rows", "min_history": 3, "seasonality": "none"},
        ]
    )
    history = StoreMetricHistory(store.engine)
    outcomes = []
    try:
        for day, n in enumerate([50, 52, 49, 51, 5]):
            with data.begin() as conn:
                conn.execute(t.delete())
                conn.execute(t.insert(), [{"id": i} for i in range(n)])
            now = NOW + timedelta(days=day)
            results = run_suite(data, "ev", specs, dataset="d.ev", now=now, history=history).results
            save_results(store.engine, results, run_id=f"run{day}", pipeline="p", task="check")
            outcomes.append(results[2].outcome)
        assert outcomes == ["learning"] * 3 + ["pass", "fail"]
        values = history.values("d.ev", "rows", before=NOW + timedelta(days=9), limit=3)
        assert [v for _, v in values] == [5.0, 51.0, 49.0]  # newest first, limited
        assert values[0][0] == NOW + timedelta(days=4)  # aware UTC round trip
        assert history.values("d.ev", "rows", before=NOW, limit=10) == []
        samples = history.last_samples("d.ev", "schema", before=NOW + timedelta(days=9))
        assert samples == [{"column": "id", "type": "INTEGER"}]
        assert history.last_samples("d.ev", "nope", before=NOW + timedelta(days=9)) is None
        with store.engine.connect() as conn:
            row = conn.execute(
                sa.text(
                    "SELECT run_id, pipeline, task, check_type, severity, outcome, expected_low, "
                    "expected_high, message FROM check_results "
                    "WHERE check_name = 'anomaly(rows)' AND run_id = 'run4'"
                )
            ).one()
        assert row[:6] == ("run4", "p", "check", "anomaly", "error", "fail")
        assert row[6] is not None and row[6] < 49 and row[7] > 52
        assert row[8].startswith("rows = 5: anomaly; expected ")
    finally:
        data.dispose()
        store.close()


def test_checks_files_are_validated_with_file_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "a.yaml").write_text(
        "dataset: wh.orders\nchecks:\n  - type: missing\n    colum: x\n"
    )
    (tmp_path / "checks" / "b.yaml").write_text(
        "dataset: orders\nchecks:\n  - type: row_count\n    fail: '> 5%'\n"
    )
    with pytest.raises(ConfigError) as info:
        read_checks_config(tmp_path, None, {})
    lines = [line.split("/checks/", 1)[1] for line in str(info.value).splitlines()]
    assert lines == [
        "a.yaml:3:5: checks.0.column: missing required key 'column'",
        "a.yaml:4:5: checks.0.colum: unknown key 'colum' (did you mean 'column'?)",
        (
            "b.yaml:1:10: dataset: dataset 'orders' must be '<connection>.<table>', "
            "e.g. 'warehouse.fact_orders' (got 'orders')"
        ),
        (
            "b.yaml:4:11: checks.0.fail: fail threshold '> 5%': a row_count check takes no percent "
            "(got '> 5%')"
        ),
    ]


def test_two_files_for_one_dataset(tmp_path: Path) -> None:
    (tmp_path / "checks").mkdir()
    for name in ("a", "b"):
        (tmp_path / "checks" / f"{name}.yaml").write_text(
            "dataset: wh.orders\nchecks:\n  - type: row_count\n"
        )
    with pytest.raises(ConfigError, match=r"b.yaml:1:10: dataset: wh.orders already has checks in"):
        read_checks_config(tmp_path, None, {})
