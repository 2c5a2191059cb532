"""Config errors: every issue at once, as path:line:col: key: message, exit code 2."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from monitor.config.loader import load_project
from monitor.errors import ConfigError

PROJECT = """\
project: t
connections:
  files: {type: files, root: data}
  wh: {type: sql, url: "sqlite:///wh.db"}
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages show paths relative to the working directory


def issues(root: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_project(root, env or {})
    return [str(i) for i in caught.value.issues]


def test_valid_project_loads_with_dependency_order(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "riverkeeper.yaml": PROJECT,
            "transforms/t.py": "def clean(extract):\n    return extract\n",
            "pipelines/p.yaml": """\
            tasks:
              load:
                type: load
                input: clean
                target: {type: sql, connection: wh, table: t}
              clean: {type: transform, function: "transforms.t:clean"}
              extract:
                type: extract
                source: {type: csv, connection: files, path: a.csv}
            """,
        },
    )
    project = load_project(tmp_path, {})
    pipeline = project.pipelines["p"]
    assert pipeline.order == ["extract", "clean", "load"]
    assert pipeline.upstream["clean"] == ["extract"]


def test_unknown_key_wrong_type_cycle_and_missing_function_all_reported(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "riverkeeper.yaml": PROJECT,
            "transforms/t.py": "def a(b):\n    return b\n\ndef b(a):\n    return a\n",
            "pipelines/p.yaml": """\
            tasks:
              extract:
                type: extract
                sorce: {type: csv, connection: files, path: a.csv}
              a: {type: transform, function: "transforms.t:a"}
              b: {type: transform, function: "transforms.t:b"}
              gone: {type: transform, function: "transforms.t:nope"}
              load:
                type: load
                input: a
                target: {type: sql, connection: wh, table: t}
                retry: {retries: many}
            """,
        },
    )
    # Structural errors stop the file before cross-references are checked.
    assert issues(tmp_path) == [
        "pipelines/p.yaml:3:5: tasks.extract.source: missing required key 'source'",
        "pipelines/p.yaml:4:5: tasks.extract.sorce: unknown key 'sorce' (did you mean 'source'?)",
        (
            "pipelines/p.yaml:12:22: tasks.load.retry.retries: Input should be a valid integer, "
            "unable to parse string as an integer (got 'many')"
        ),
    ]


def test_semantic_errors_cycle_and_missing_function(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "riverkeeper.yaml": PROJECT,
            "transforms/t.py": "def a(b):\n    return b\n\ndef b(a):\n    return a\n",
            "pipelines/p.yaml": """\
            tasks:
              a: {type: transform, function: "transforms.t:a"}
              b: {type: transform, function: "transforms.t:b"}
              gone: {type: transform, function: "transforms.t:nope"}
              load:
                type: load
                input: missing_task
                target: {type: sql, connection: nowhere, table: t}
            """,
        },
    )
    assert issues(tmp_path) == [
        "pipelines/p.yaml:2:3: tasks.a: tasks depend on each other in a cycle: a -> b -> a",
        "pipelines/p.yaml:4:37: tasks.gone.function: module 'transforms.t' has no function 'nope'",
        "pipelines/p.yaml:7:12: tasks.load.input: unknown task 'missing_task'",
        (
            "pipelines/p.yaml:8:37: tasks.load.target.connection: unknown connection 'nowhere' "
            "(known: files, wh)"
        ),
    ]


def test_structural_errors_have_positions(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "riverkeeper.yaml": PROJECT + "defaults: {max_workers: lots, colour: blue}\n",
            "pipelines/p.yaml": """\
            schedule: {cron: "0 25 * * *"}
            tasks:
              extract:
                type: extract
                sorce: {type: csv, connection: files, path: a.csv}
              load:
                type: lod
                input: extract
            """,
        },
    )
    assert issues(tmp_path) == [
        (
            "pipelines/p.yaml:1:18: schedule.cron: invalid cron expression '0 25 * * *': "
            "Error validating expression '25': the last value (25) is higher than the maximum value (23) "
            "(got '0 25 * * *')"
        ),
        "pipelines/p.yaml:4:5: tasks.extract.source: missing required key 'source'",
        "pipelines/p.yaml:5:5: tasks.extract.sorce: unknown key 'sorce' (did you mean 'source'?)",
        (
            "pipelines/p.yaml:7:11: tasks.load.type: unknown task type; use one of extract, "
            "transform, sql, load, check (got 'lod')"
        ),
        (
            "riverkeeper.yaml:5:25: defaults.max_workers: Input should be a valid integer, "
            "unable to parse string as an integer (got 'lots')"
        ),
        (
            "riverkeeper.yaml:5:31: defaults.colour: unknown key 'colour' (allowed: max_workers, "
            "retention, timezone, workspace)"
        ),
    ]


def test_env_substitution_and_missing_variable(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "riverkeeper.yaml": """\
            connections:
              wh: {type: sql, url: "postgresql+psycopg://u:${PGPASS}@h/db"}
              other: {type: sql, url: "sqlite:///${DIR:-x}/w.db"}
              api: {type: http, base_url: "http://h", headers: {Authorization: "Bearer ${TOKEN}"}}
            """,
        },
    )
    assert issues(tmp_path, {"PGPASS": "s3cret"}) == [
        (
            "riverkeeper.yaml:4:68: connections.api.headers.Authorization: "
            "environment variable TOKEN is not set"
        )
    ]
    project = load_project(tmp_path, {"PGPASS": "s3cret", "TOKEN": "t0k"})
    wh = project.connections["wh"]
    assert wh.type == "sql" and wh.url.get_secret_value() == "postgresql+psycopg://u:s3cret@h/db"
    assert "s3cret" not in repr(project.spec) and wh.safe_url == "postgresql+psycopg://u:***@h/db"
    assert project.connections["other"].url.get_secret_value() == "sqlite:///x/w.db"  # type: ignore[union-attr]


def test_yaml_syntax_error_position(tmp_path: Path) -> None:
    write(tmp_path, {"riverkeeper.yaml": "project: [unclosed\n"})
    (found,) = issues(tmp_path)
    assert found.startswith("riverkeeper.yaml:2:1: YAML syntax:")


def test_cli_prints_one_line_per_issue_exit_2_no_traceback(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "riverkeeper.yaml": PROJECT,
            "pipelines/p.yaml": "tasks:\n  x: {type: extract, source: {type: csv, connection: files, path: a}, bogus: 1}\n",
        },
    )
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(tmp_path), "validate"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines == [
        (
            "pipelines/p.yaml:2:71: tasks.x.bogus: unknown key 'bogus' (allowed: dead_letter, "
            "depends_on, description, retry, source, timeout, trigger_rule, type)"
        ),
        "1 config error",
    ]
