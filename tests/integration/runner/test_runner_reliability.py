"""The runner on a real SQLite store: retries with backoff, trigger rules, timeouts,
checkpoints and resume, and a requested stop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from monitor.pipeline.events import RunState, TaskState
from monitor.pipeline.runner import Runner
from monitor.service import open_project, open_store
from monitor.store.runs import Store
from tests.integration.scheduler.sched_projects import csv_to_table, write_project


def runner_for(tmp_path: Path, pipelines: dict[str, Any], **kw: Any) -> tuple[Runner, Store]:
    config = write_project(tmp_path, f"sqlite:///{tmp_path / 'store.db'}", pipelines)
    project = open_project(config, env={})
    store = open_store(project)
    return Runner(project, store, **kw), store


@pytest.fixture
def flaky(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    counter = tmp_path / "calls"
    monkeypatch.setenv("RK_TEST_FLAKY_FILE", str(counter))
    return counter


def attempts(store: Store, run_id: str) -> list[tuple[str, int, str, float]]:
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "select task, attempt, state, delay_seconds from task_attempts "
                "where run_id = :r order by id"
            ),
            {"r": run_id},
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_a_transient_failure_is_retried_with_exponential_backoff(
    tmp_path: Path, flaky: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RK_TEST_FLAKY_FAILS", "2")
    retry = {"retries": 3, "delay": "1s", "multiplier": 3, "jitter": 0}
    waited: list[float] = []
    runner, store = runner_for(
        tmp_path, {"p": csv_to_table("t", transform="flaky", retry=retry)}, sleep=waited.append
    )
    result = runner.run("p")
    assert result.state == RunState.SUCCESS
    assert waited == [1.0, 3.0]
    assert attempts(store, result.run_id) == [
        ("ex", 1, "success", 0.0),
        ("tr", 1, "retrying", 0.0),
        ("tr", 2, "retrying", 1.0),
        ("tr", 3, "success", 3.0),
        ("load", 1, "success", 0.0),
    ]
    store.close()


def test_retries_run_out_and_the_run_fails_with_the_last_error(
    tmp_path: Path, flaky: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RK_TEST_FLAKY_FAILS", "5")
    retry = {"retries": 1, "delay": "0s"}
    runner, store = runner_for(
        tmp_path, {"p": csv_to_table("t", transform="flaky", retry=retry)}, sleep=lambda _: None
    )
    result = runner.run("p")
    assert result.state == RunState.FAILED
    assert result.error == "tr: ConnectionError: source unavailable (call 2)"
    assert result.tasks["load"] == TaskState.UPSTREAM_FAILED
    store.close()


def test_a_bug_is_not_retried_by_default(tmp_path: Path) -> None:
    retry = {"retries": 3, "delay": "0s"}
    runner, store = runner_for(tmp_path, {"p": csv_to_table("t", transform="broken", retry=retry)})
    result = runner.run("p")
    assert result.error == "tr: ValueError: a bug in the transform"
    assert [a[:3] for a in attempts(store, result.run_id) if a[0] == "tr"] == [("tr", 1, "failed")]
    store.close()


def test_trigger_rules_run_an_alert_task_after_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "notified"
    monkeypatch.setenv("RK_TEST_NOTIFY_FILE", str(marker))
    spec = csv_to_table("t", transform="broken")
    spec["tasks"]["alert"] = {
        "type": "transform",
        "function": "transforms:notify",
        "depends_on": ["load"],
        "trigger_rule": "all_done",
    }
    spec["tasks"]["on_failure"] = {
        "type": "transform",
        "function": "transforms:notify",
        "depends_on": ["tr"],
        "trigger_rule": "one_failed",
    }
    runner, store = runner_for(tmp_path, {"p": spec})
    result = runner.run("p")
    assert result.state == RunState.FAILED
    assert result.tasks == {
        "ex": TaskState.SUCCESS,
        "tr": TaskState.FAILED,
        "load": TaskState.UPSTREAM_FAILED,
        "alert": TaskState.SUCCESS,
        "on_failure": TaskState.SUCCESS,
    }
    assert marker.read_text() == "ran"
    store.close()


def test_a_task_timeout_fails_the_attempt_with_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RK_TEST_SLOW", "2")
    spec = csv_to_table("t", transform="slow")
    spec["tasks"]["tr"]["timeout"] = "0.3s"
    runner, store = runner_for(tmp_path, {"p": spec})
    result = runner.run("p")
    assert result.error == "tr: task 'tr' timed out after 0.3s"
    store.close()


def test_resume_reruns_only_what_did_not_succeed_from_checkpoints(
    tmp_path: Path, flaky: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RK_TEST_FLAKY_FAILS", "1")
    runner, store = runner_for(tmp_path, {"p": csv_to_table("t", transform="flaky")})
    first = runner.run("p")
    assert first.state == RunState.FAILED
    assert (tmp_path / "workspace" / first.run_id / "ex.parquet").is_file()
    resumed = runner.resume(first.run_id)
    assert resumed.state == RunState.SUCCESS and resumed.run_id == first.run_id
    assert len(resumed.outputs["ex"].frame) == 5  # type: ignore[arg-type]
    assert [a[:3] for a in attempts(store, first.run_id)] == [
        ("ex", 1, "success"),  # not run again: its checkpoint was read
        ("tr", 1, "failed"),
        ("tr", 1, "success"),
        ("load", 1, "success"),
    ]
    from monitor.errors import UsageError

    with pytest.raises(UsageError, match=f"run {first.run_id} is success; only failed"):
        runner.resume(first.run_id)
    store.close()


def test_a_requested_stop_aborts_tasks_not_yet_started(tmp_path: Path) -> None:
    runner, store = runner_for(tmp_path, {"p": csv_to_table("t")})
    runner.stop_requested.set()
    result = runner.run("p")
    assert result.state == RunState.ABORTED
    assert result.error == "stopped before ex, load ran"
    assert set(result.tasks.values()) == {TaskState.ABORTED}
    store.close()
