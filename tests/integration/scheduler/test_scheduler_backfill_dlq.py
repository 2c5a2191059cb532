"""`riverkeeper backfill` and `riverkeeper dlq` through the CLI, on a real SQLite store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from monitor.cli import app
from monitor.errors import RiverkeeperError
from tests.integration.scheduler.sched_projects import csv_to_table, write_project

HOURLY = {"every": "1h"}


@dataclass
class Done:
    exit_code: int
    stdout: str
    output: str


def cli(config: Path, *args: str) -> Done:
    """Invoke like the console script: our errors become their message and exit code."""
    result = CliRunner().invoke(app, ["--config", str(config), *args])
    exc = result.exception
    if isinstance(exc, RiverkeeperError):
        return Done(exc.exit_code, result.stdout, f"{result.output}error: {exc}")
    if exc is not None and not isinstance(exc, SystemExit):
        raise exc
    return Done(result.exit_code, result.stdout, result.output)


def store_rows(tmp_path: Path, sql: str) -> list[Any]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.connect() as conn:
        found = list(conn.execute(sa.text(sql)))
    engine.dispose()
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(
        tmp_path,
        f"sqlite:///{tmp_path / 'store.db'}",
        {"hourly": csv_to_table("items", HOURLY), "adhoc": csv_to_table("adhoc")},
        bad_rows=2,
    )


def test_backfill_runs_every_interval_once_and_a_second_backfill_changes_nothing(
    project: Path, tmp_path: Path
) -> None:
    window = ["--start", "2026-03-01T00:00:00", "--end", "2026-03-01T04:00:00"]
    first = cli(project, "backfill", "hourly", *window, "--json")
    assert first.exit_code == 0, first.output
    outcome = json.loads(first.stdout)
    assert [(o["interval_start"], o["state"]) for o in outcome] == [
        (f"2026-03-01T0{h}:00:00+00:00", "success") for h in range(4)
    ]
    runs = store_rows(tmp_path, "select count(*) from pipeline_runs where trigger = 'backfill'")
    second = cli(project, "backfill", "hourly", *window, "--parallel", "2", "--json")
    assert second.exit_code == 0, second.output
    assert {o["state"] for o in json.loads(second.stdout)} == {"skipped"}
    assert store_rows(tmp_path, "select count(*) from pipeline_runs") == runs  # nothing new
    rerun = cli(project, "backfill", "hourly", "--start", "2026-03-01T00:00", "--end",
                "2026-03-01T01:00", "--rerun", "--json")  # fmt: skip
    assert [o["action"] for o in json.loads(rerun.stdout)] == ["run"]


def test_backfill_resumes_a_failed_interval_instead_of_starting_over(
    project: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data" / "items.csv"
    good = data.read_text()
    data.unlink()  # the source is missing: the extract fails
    window = ["--start", "2026-03-01T00:00:00", "--end", "2026-03-01T02:00:00"]
    failed = cli(project, "backfill", "hourly", *window, "--json")
    assert failed.exit_code == 1
    assert {o["state"] for o in json.loads(failed.stdout)} == {"failed"}
    data.write_text(good)
    fixed = cli(project, "backfill", "hourly", *window, "--json")
    assert fixed.exit_code == 0, fixed.output
    outcome = json.loads(fixed.stdout)
    assert [(o["action"], o["state"]) for o in outcome] == [("resume", "success")] * 2
    assert store_rows(tmp_path, "select count(*) from pipeline_runs") == [(2,)]


def test_backfill_errors_name_the_problem(project: Path) -> None:
    no_schedule = cli(project, "backfill", "adhoc", "--start", "2026-03-01", "--end", "2026-03-02")
    assert no_schedule.exit_code == 2
    assert "pipeline 'adhoc' has no schedule; backfill cuts intervals from it" in no_schedule.output
    backwards = cli(project, "backfill", "hourly", "--start", "2026-03-02", "--end", "2026-03-01")
    assert backwards.exit_code == 2
    assert (
        "--end (2026-03-01T00:00:00+00:00) must be after --start (2026-03-02T00:00:00+00:00)"
        in backwards.output
    )


def test_dead_letters_list_show_replay_and_purge(project: Path, tmp_path: Path) -> None:
    assert cli(project, "run", "hourly").exit_code == 0
    listed = cli(project, "dlq", "list", "--json")
    letters = json.loads(listed.stdout)
    assert [(d["task"], d["status"], d["raw"]) for d in letters] == [
        ("ex", "waiting", '{"id": "6", "price": "not-a-number"}'),
        ("ex", "waiting", '{"id": "7", "price": "not-a-number"}'),
    ]
    assert "not-a-number" in letters[0]["reason"]
    by_reason = cli(project, "dlq", "list", "--reason", "NOT-A-NUMBER", "--json")
    assert len(json.loads(by_reason.stdout)) == 2
    assert json.loads(cli(project, "dlq", "list", "--task", "load", "--json").stdout) == []
    shown = json.loads(cli(project, "dlq", "show", str(letters[0]["id"]), "--json").stdout)
    assert shown["location"] == "items.csv:record 6"
    missing = cli(project, "dlq", "show", "999")
    assert missing.exit_code == 2 and "no dead letter with id 999" in missing.output

    # replay before the cause is fixed: the records are rejected again, under the new run
    again = json.loads(cli(project, "dlq", "replay", "--json").stdout)
    assert [(r["records"], r["state"], r["rejected_again"]) for r in again] == [(2, "success", 2)]
    waiting = json.loads(cli(project, "dlq", "list", "--json").stdout)
    assert {d["run_id"] for d in waiting} == {again[0]["replay_run"]}

    # fix the source, replay: the records load, the queue is empty
    data = tmp_path / "data" / "items.csv"
    data.write_text(data.read_text().replace("not-a-number", "9.5"))
    done = json.loads(cli(project, "dlq", "replay", "--pipeline", "hourly", "--json").stdout)
    assert [(r["state"], r["rejected_again"]) for r in done] == [("success", 0)]
    assert json.loads(cli(project, "dlq", "list", "--json").stdout) == []
    replayed = json.loads(cli(project, "dlq", "list", "--status", "replayed", "--json").stdout)
    assert len(replayed) == 4 and {d["replay_run_id"] for d in replayed[2:]} == {
        done[0]["replay_run"]
    }
    warehouse = sa.create_engine(f"sqlite:///{tmp_path / 'wh.sqlite'}")
    with warehouse.connect() as conn:
        assert conn.execute(sa.text("select count(*) from items")).scalar_one() == 7
    warehouse.dispose()

    # purge needs a filter or --yes
    data.write_text(data.read_text() + "8,oops\n")
    assert cli(project, "run", "hourly").exit_code == 0
    refused = cli(project, "dlq", "purge")
    assert refused.exit_code == 2
    assert "purge every waiting dead letter? add --yes, or narrow with a filter" in refused.output
    purged = cli(project, "dlq", "purge", "--pipeline", "hourly", "--json")
    assert json.loads(purged.stdout) == {"purged": 1}
    assert store_rows(tmp_path, "select status, count(*) from dead_letters group by status "
                      "order by status") == [("purged", 1), ("replayed", 4)]  # fmt: skip
