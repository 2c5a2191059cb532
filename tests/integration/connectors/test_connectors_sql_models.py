"""ELT sql tasks through the runner on DuckDB and PostgreSQL: refs order the models,
views / tables / incremental models materialise, reruns never duplicate."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.pipeline.runner import Runner
from monitor.service import open_project, open_store

PIPELINE = """
schedule: {cron: "0 0 * * *"}
tasks:
  stg_events:
    type: sql
    connection: wh
    model: stg_events
  daily:
    type: sql
    connection: wh
    model: daily
    materialized: table
    depends_on: [stg_events]  # derived from the model file once the loader passes config_dir
  by_day:
    type: sql
    connection: wh
    materialized: incremental
    interval_column: day
    sql: >-
      SELECT day, COUNT(*) AS events FROM {{ ref('stg_events') }}
      WHERE day >= :interval_start_date GROUP BY day
"""


def _project(tmp_path: Path, url: str) -> Path:
    config = tmp_path / "config"
    (config / "pipelines").mkdir(parents=True)
    (config / "models").mkdir()
    (config / "riverkeeper.yaml").write_text(
        f"store: {{url: 'sqlite:///{tmp_path / 'store.db'}'}}\n"
        f"connections: {{wh: {{type: sql, url: '{url}'}}}}\n"
        f"defaults: {{workspace: '{tmp_path / 'ws'}'}}\n"
    )
    (config / "pipelines" / "elt.yaml").write_text(PIPELINE)
    (config / "models" / "stg_events.sql").write_text(
        "{{ config(materialized='view') }}\n"
        "SELECT id, CAST(ts AS DATE) AS day FROM {{ source('wh', 'raw_events') }} WHERE id > 0"
    )
    (config / "models" / "daily.sql").write_text(
        "SELECT day, COUNT(*) AS n FROM {{ ref('stg_events') }} GROUP BY day"
    )
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE raw_events (id INTEGER, ts TIMESTAMP)"))
        conn.execute(
            sa.text(
                "INSERT INTO raw_events VALUES (1, '2024-03-04 10:00:00'), "
                "(2, '2024-03-05 10:00:00'), (3, '2024-03-05 11:00:00'), (-1, '2024-03-05 12:00:00')"
            )
        )
    engine.dispose()
    return config


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path, pg_url_lazy: str | None) -> str:
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'wh.duckdb'}"
    assert pg_url_lazy is not None
    return pg_url_lazy


@pytest.fixture
def pg_url_lazy(request: pytest.FixtureRequest) -> str | None:
    if "postgres" not in request.node.name:
        return None
    url: str = request.getfixturevalue("pg_url")
    return url


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text(sql))]
    engine.dispose()
    return rows


def test_models_run_in_ref_order_and_rerun_cleanly(tmp_path: Path, warehouse: str) -> None:
    project = open_project(_project(tmp_path, warehouse), env={})
    pipeline = project.pipelines["elt"]
    assert pipeline.order.index("stg_events") < pipeline.order.index("daily")
    assert set(pipeline.upstream["by_day"]) == {"stg_events"}  # from the inline ref
    store = open_store(project)
    day = datetime(2024, 3, 5, tzinfo=UTC)
    try:
        runner = Runner(project, store)
        for _ in range(2):
            result = runner.run("elt", logical_date=day)
            assert result.ok, result.error
        out = result.outputs
        assert out["daily"].rows_out == 2 and out["daily"].outputs[0].table == "daily"
        assert out["daily"].sql is not None and "stg_events" in out["daily"].sql
        stg = out["stg_events"]
        assert [d.table for d in stg.inputs] == ["raw_events"]
        lineage = stg.column_lineage[stg.outputs[0].key]
        assert [(o.dataset.table, o.column, o.transformation) for o in lineage["day"]] == [
            ("raw_events", "ts", "TRANSFORMATION")
        ]
        assert [(o.dataset.table, o.column) for o in lineage["id"]] == [("raw_events", "id")]
    finally:
        store.close()
    assert _rows(warehouse, "SELECT day, n FROM daily ORDER BY day")[1][1] == 2
    assert [r[1] for r in _rows(warehouse, "SELECT day, events FROM by_day ORDER BY day")] == [2]
    views = _rows(warehouse, "SELECT COUNT(*) FROM stg_events")
    assert views == [(3,)]
