"""Task models: `transform` with operations, `sql` models and their derived dependencies,
target modes, and the messages of their config errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from monitor.config.pipeline import OperationsTask, PipelineFile, SqlTask, TransformTask
from monitor.connectors.sqltarget import SqlTarget

TASKS = {
    "extract": {"type": "extract", "source": {"type": "csv", "connection": "f", "path": "a.csv"}},
    "load_raw": {
        "type": "load",
        "input": "extract",
        "target": {"type": "sql", "connection": "wh", "table": "raw_orders"},
    },
    "stg": {"type": "sql", "connection": "wh", "model": "stg"},
    "fct": {"type": "sql", "connection": "wh", "sql": "SELECT * FROM {{ ref('stg') }}"},
}


def test_transform_kinds_are_told_apart() -> None:
    spec = PipelineFile.model_validate(
        {
            "tasks": {
                **TASKS,
                "py": {"type": "transform", "function": "transforms.x:f"},
                "ops": {
                    "type": "transform",
                    "input": "extract",
                    "operations": [{"op": "join", "with": "py", "on": ["id"]}],
                },
            }
        }
    )
    assert isinstance(spec.tasks["py"], TransformTask)
    ops = spec.tasks["ops"]
    assert isinstance(ops, OperationsTask) and ops.upstream() == ["extract", "py"]


def test_sql_dependencies_come_from_refs_and_sources(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "stg.sql").write_text("SELECT * FROM {{ source('wh', 'raw_orders') }}")
    spec = PipelineFile.model_validate({"tasks": TASKS}, context={"config_dir": tmp_path})
    assert spec.tasks["stg"].upstream() == ["load_raw"]
    assert spec.tasks["fct"].upstream() == ["stg"]
    with pytest.raises(
        ValidationError, match=r"task 'stg': cannot read models/stg.sql: No such file"
    ):
        PipelineFile.model_validate({"tasks": TASKS}, context={"config_dir": tmp_path / "x"})
    without_dir = PipelineFile.model_validate({"tasks": TASKS})
    assert without_dir.tasks["stg"].upstream() == []  # the file is not found: explicit depends_on
    assert without_dir.tasks["fct"].upstream() == ["stg"]  # inline SQL always works


def test_config_error_messages() -> None:
    with pytest.raises(ValidationError, match="unknown task type; use one of extract, transform"):
        PipelineFile.model_validate({"tasks": {"a": {"type": "copy"}}})
    bad_ref = {"a": {"type": "sql", "connection": "wh", "sql": "SELECT 1 FROM {{ ref('nope') }}"}}
    with pytest.raises(ValidationError, match=r"task 'a': ref\('nope'\) names no sql task"):
        PipelineFile.model_validate({"tasks": bad_ref})
    bad_input = {
        "a": {
            "type": "transform",
            "input": "ghost",
            "operations": [{"op": "select", "columns": ["x"]}],
        }
    }
    with pytest.raises(ValidationError, match="task 'a' reads unknown task 'ghost'"):
        PipelineFile.model_validate({"tasks": bad_input})
    with pytest.raises(ValidationError, match="give exactly one of 'model'"):
        SqlTask.model_validate({"type": "sql", "connection": "wh"})
    with pytest.raises(ValidationError, match="materialized: incremental needs 'interval_column'"):
        SqlTask.model_validate(
            {"type": "sql", "connection": "wh", "sql": "SELECT 1", "materialized": "incremental"}
        )
    with pytest.raises(ValidationError, match=r"mode merge needs 'key'"):
        SqlTarget.model_validate({"connection": "wh", "table": "t", "mode": "merge"})
    with pytest.raises(ValidationError, match="mode replace_interval needs 'interval_column'"):
        SqlTarget.model_validate({"connection": "wh", "table": "t", "mode": "replace_interval"})
