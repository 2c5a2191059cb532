"""Real `serve` processes on a SQLite store: SIGHUP reloads, SIGTERM stops cleanly,
and a standby takes over once the lease row of a killed scheduler expires."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.e2e.scheduler.serve_process import Serve, reap, rows
from tests.integration.scheduler.sched_projects import csv_to_table, write_pipeline, write_project
from tests.support import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    from monitor.store.runs import Store

    url = f"sqlite:///{tmp_path / 'store.db'}"
    Store.open(url).close()
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    yield url, engine
    reap()
    engine.dispose()


def _successes(engine: sa.Engine, pipeline: str) -> int:
    sql = "select count(*) from pipeline_runs where pipeline = :p and state = 'success'"
    return int(rows(engine, sql, p=pipeline)[0][0])


def test_sighup_reloads_the_config_and_sigterm_stops_cleanly(
    tmp_path: Path, store: tuple[str, sa.Engine]
) -> None:
    url, engine = store
    config = write_project(tmp_path, url, {"p": csv_to_table("t", {"every": "2s"})})
    serve = Serve(tmp_path, url, "serve")
    wait_until(lambda: _successes(engine, "p") >= 1, 30, what="a first run of p")
    write_pipeline(config, "q", csv_to_table("t2", {"every": "2s"}))
    (config / "checks").mkdir()  # and checks of what q writes: they run after q's runs
    (config / "checks" / "t2.yaml").write_text("dataset: wh.t2\nchecks:\n  - type: row_count\n")
    serve.proc.send_signal(signal.SIGHUP)  # --no-watch: only the signal reloads
    wait_until(lambda: _successes(engine, "q") >= 1, 30, what="a run of the new pipeline q")
    checked = "select count(*) from check_results where dataset = 'wh.t2' and pipeline = 'q'"
    wait_until(lambda: rows(engine, checked)[0][0] >= 1, 30, what="q's dataset checked")
    assert serve.terminate() == 0
    assert "config reloaded: 2 pipelines (added: q; removed: none)" in serve.output()
    assert rows(engine, "select count(*) from scheduler_lease")[0][0] == 0  # released


def test_a_standby_takes_over_when_the_lease_row_of_a_killed_scheduler_expires(
    tmp_path: Path, store: tuple[str, sa.Engine]
) -> None:
    url, engine = store
    write_project(tmp_path, url, {"p": csv_to_table("t", {"every": "1s", "catchup": "all"})})
    first = Serve(tmp_path, url, "first")
    wait_until(lambda: _successes(engine, "p") >= 2, 30, what="runs of the first scheduler")
    second = Serve(tmp_path, url, "second")
    wait_until(lambda: "riverkeeper serve:" in second.output(), 30, what="the standby to start")
    owner = rows(engine, "select owner from scheduler_lease")[0][0]
    assert f":{first.pid}:" in owner
    first.kill9()
    wait_until(
        lambda: f":{second.pid}:" in (rows(engine, "select owner from scheduler_lease") or [[""]])[0][0],
        15,
        what="the standby to take the expired lease",
    )  # fmt: skip
    wait_until(
        lambda: rows(
            engine, "select count(*) from pipeline_runs where owner like :o and state = 'success'",
            o=f"%:{second.pid}:%",
        )[0][0] >= 2,
        30,
        what="runs of the second scheduler",
    )  # fmt: skip
    assert second.terminate() == 0
    dup = "select count(*) from (select scheduled_for from pipeline_runs group by 1 having count(*) > 1)"
    assert rows(engine, dup)[0][0] == 0
