"""Fault tests with real `serve` processes and a real PostgreSQL store (issue 6 §7).

Each test generates a tiny project in tmp_path (CSV source; PostgreSQL or SQLite
warehouse), starts real processes with short leases, breaks something for real
(kill -9, a second scheduler, downtime, a refusing source, terminated
PostgreSQL sessions) and checks the store and the warehouse afterwards.
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.e2e.scheduler.serve_process import RefusingProxy, Serve, reap, rows, run_cli
from tests.integration.scheduler.sched_projects import csv_to_table, write_project
from tests.support import free_port, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def store(pg_url: str):  # type: ignore[no-untyped-def]
    """The migrated store database, for the test's own reads."""
    from monitor.store.runs import Store

    Store.open(pg_url).close()
    engine = sa.create_engine(pg_url, poolclass=sa.NullPool)
    yield engine
    reap()
    engine.dispose()


def _state(engine: sa.Engine, run_id: str) -> str | None:
    found = rows(engine, "select state from pipeline_runs where id = :id", id=run_id)
    return found[0][0] if found else None


def _steps(times: list[datetime]) -> set[float]:
    """The gaps between consecutive fire times, in seconds."""
    return {(b - a).total_seconds() for a, b in itertools.pairwise(times)}


def _duplicates(engine: sa.Engine) -> list[sa.Row[object]]:
    return rows(
        engine,
        "select pipeline, scheduled_for, count(*) from pipeline_runs "
        "where scheduled_for is not null group by pipeline, scheduled_for having count(*) > 1",
    )


def test_kill_9_in_the_middle_of_a_load_then_restart_completes_with_exact_rows(
    tmp_path: Path, pg_url: str, store: sa.Engine
) -> None:
    n = 100
    with store.begin() as conn:  # a slow target: every inserted row waits 20 ms
        conn.execute(sa.text("create table items_out (id bigint, price double precision)"))
        conn.execute(
            sa.text(
                "create function slow_row() returns trigger language plpgsql as "
                "$$ begin perform pg_sleep(0.02); return new; end $$"
            )
        )
        conn.execute(
            sa.text(
                "create trigger slow before insert on items_out "
                "for each row execute function slow_row()"
            )
        )
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    schedule = {"every": "1h", "start_date": start.isoformat(), "catchup": "latest"}
    write_project(
        tmp_path, pg_url, {"hourly": csv_to_table("items_out", schedule)},
        warehouse_url=pg_url, rows=n,
    )  # fmt: skip
    first = Serve(tmp_path, pg_url, "serve1")
    load_running = (
        "select r.id from pipeline_runs r join task_runs t on t.run_id = r.id "
        "where t.task = 'load' and t.state = 'running'"
    )
    run_id = wait_until(lambda: rows(store, load_running), 25, what="the load to start")[0][0]
    time.sleep(1.0)  # well inside the ~3 s load
    first.kill9()
    assert _state(store, run_id) == "running"  # nobody told the store: it is orphaned
    wait_until(
        lambda: (
            rows(store, "select count(*) from pg_stat_activity where query like 'COPY%'")[0][0] == 0
        ),
        10,
        what="PostgreSQL to roll back the killed COPY",
    )
    assert rows(store, "select count(*) from items_out")[0][0] == 0

    second = Serve(tmp_path, pg_url, "serve2")
    try:
        wait_until(lambda: _state(store, run_id) == "success", 30, what="the run to complete")
    finally:
        second.terminate()
    assert rows(store, "select count(*), count(distinct id) from items_out")[0] == (n, n)
    assert rows(store, "select count(*) from pipeline_runs")[0][0] == 1  # the same run, resumed
    attempts = rows(
        store,
        "select task, state from task_attempts where run_id = :id order by id",
        id=run_id,
    )
    # the extract's checkpoint was reused; the interrupted load was marked and run again
    assert attempts == [("ex", "success"), ("load", "aborted"), ("load", "success")]
    recovered = rows(store, "select recoveries, last_reason from run_recoveries")
    assert recovered[0][0] == 1 and recovered[0][1].startswith("orphaned: no heartbeat since")


def test_two_serve_processes_on_one_store_never_duplicate_a_run(
    tmp_path: Path, pg_url: str, store: sa.Engine
) -> None:
    pipelines = {
        f"p{i}": csv_to_table(f"t{i}", {"every": "2s", "catchup": "all"}) for i in range(2)
    }
    write_project(tmp_path, pg_url, pipelines)
    a = Serve(tmp_path, pg_url, "a")
    b = Serve(tmp_path, pg_url, "b")
    try:
        wait_until(
            lambda: (
                rows(store, "select count(*) from pipeline_runs where state = 'success'")[0][0] >= 9
            ),
            30,
            what="runs from the active scheduler",
        )
        time.sleep(3)
        holder = rows(store, "select owner from scheduler_lease")[0][0]
        active, standby = (a, b) if f":{a.pid}:" in holder else (b, a)
        assert f":{standby.pid}:" not in holder
        owners = {r[0].split(":")[1] for r in rows(store, "select owner from pipeline_runs")}
        assert owners == {str(active.pid)}  # the standby ran nothing
        active.kill9()
        wait_until(
            lambda: rows(
                store, "select count(*) from pipeline_runs where owner like :o and state = 'success'",
                o=f"%:{standby.pid}:%",
            )[0][0] >= 3,
            25,
            what="the standby to take over",
        )  # fmt: skip
    finally:
        for proc in (a, b):
            if proc.proc.poll() is None:
                proc.terminate()
    assert _duplicates(store) == []
    for name in pipelines:  # every fire time has exactly one slot, with no hole
        times = [r[0] for r in rows(
            store, "select scheduled_for from schedule_slots where pipeline = :p order by 1", p=name
        )]  # fmt: skip
        steps = _steps(times)
        assert steps == {2.0}, name


def test_serve_down_across_fire_times_catches_up_exactly_per_policy(
    tmp_path: Path, pg_url: str, store: sa.Engine
) -> None:
    pipelines = {
        f"p_{policy}": csv_to_table(f"t_{policy}", {"every": "2s", "catchup": policy})
        for policy in ("all", "latest", "none")
    }
    write_project(tmp_path, pg_url, pipelines)
    first = Serve(tmp_path, pg_url, "before")
    try:
        wait_until(
            lambda: rows(store, "select count(distinct pipeline) from schedule_slots")[0][0] == 3,
            20,
            what="a first slot of every pipeline",
        )
    finally:
        first.terminate()
    time.sleep(7)  # three or four fire times pass with no scheduler
    restart = datetime.now(UTC)
    second = Serve(tmp_path, pg_url, "after")
    try:
        wait_until(
            lambda: rows(
                store, "select count(distinct pipeline) from schedule_slots where scheduled_for > :t",
                t=restart + timedelta(seconds=3),
            )[0][0] == 3 and rows(
                store, "select count(*) from schedule_slots s join pipeline_runs r on r.id = s.run_id "
                "where s.scheduled_for < :t and r.state <> 'success'", t=restart,
            )[0][0] == 0,
            30,
            what="the catch-up runs to finish",
        )  # fmt: skip
    finally:
        second.terminate()
    missed = dict(
        rows(
            store,
            "select pipeline, count(*) filter (where status = 'missed') from schedule_slots "
            "group by pipeline",
        )
    )
    assert missed["p_none"] >= 3  # the whole downtime
    assert missed["p_latest"] == missed["p_none"] - 1  # all but the newest missed slot
    assert missed["p_all"] == 0
    for name in pipelines:
        slots = rows(
            store,
            "select s.scheduled_for, s.status, r.state from schedule_slots s "
            "left join pipeline_runs r on r.id = s.run_id where s.pipeline = :p order by 1",
            p=name,
        )
        assert _steps([s[0] for s in slots]) == {2.0}
        settled = [s for s in slots if s[0] < restart]
        assert all((s[1] == "run") == (s[2] == "success") for s in settled), slots
    reasons = {
        r[0] for r in rows(store, "select reason from schedule_slots where status = 'missed'")
    }
    assert reasons == {
        "catchup none: missed while no scheduler was active",
        "catchup latest: a newer missed interval ran instead",
    }
    assert _duplicates(store) == []


def _sql_source_pipeline(url: str, schedule: dict[str, object] | None = None) -> dict[str, object]:
    spec: dict[str, object] = {
        "tasks": {
            "ex": {
                "type": "extract",
                "source": {"type": "sql", "connection": "src", "table": "source_items"},
                "retry": {"retries": 3, "delay": "0.3s", "multiplier": 2, "jitter": 0.1},
            },
            "load": {
                "type": "load",
                "input": "ex",
                "target": {"type": "sql", "connection": "wh", "table": "copied", "mode": "replace"},
            },
        }
    }
    if schedule:
        spec["schedule"] = schedule
    return spec


def test_a_source_that_fails_twice_then_works_succeeds_on_attempt_3_with_backoff(
    tmp_path: Path, pg_url: str, store: sa.Engine
) -> None:
    with store.begin() as conn:
        conn.execute(sa.text("create table source_items as select generate_series(1, 7) as id"))
    url = sa.make_url(pg_url)
    proxy = RefusingProxy((url.host or "127.0.0.1", url.port or 5432), refuse=2)
    proxied = url.set(host="127.0.0.1", port=proxy.port)
    source_url = proxied.render_as_string(hide_password=False)
    safe = proxied.render_as_string(hide_password=True)
    write_project(
        tmp_path, pg_url, {"copy": _sql_source_pipeline(source_url)},
        extra_connections={"src": {"type": "sql", "url": source_url}},
    )  # fmt: skip
    try:
        done = run_cli(tmp_path, pg_url, "run", "copy")
    finally:
        proxy.close()
    assert done.returncode == 0, done.stderr
    attempts = rows(
        store, "select attempt, state, delay_seconds, error from task_attempts "
        "where task = 'ex' order by attempt",
    )  # fmt: skip
    assert [(a[0], a[1]) for a in attempts] == [(1, "retrying"), (2, "retrying"), (3, "success")]
    assert attempts[0][2] == 0.0
    assert 0.27 <= attempts[1][2] <= 0.33 and 0.54 <= attempts[2][2] <= 0.66  # 0.3s, then x2
    assert all((a[3] or "").startswith(f"connection 'src' ({safe}) failed") for a in attempts[:2])
    warehouse = sa.create_engine(f"sqlite:///{tmp_path / 'wh.sqlite'}")
    assert rows(warehouse, "select count(*) from copied")[0][0] == 7
    warehouse.dispose()


def test_a_source_that_stays_down_fails_its_run_and_leaves_other_pipelines_alone(
    tmp_path: Path, pg_url: str, store: sa.Engine
) -> None:
    port = free_port()  # nothing listens there
    dead = f"postgresql+psycopg://postgres@127.0.0.1:{port}/nothing"
    write_project(
        tmp_path,
        pg_url,
        {
            "down": _sql_source_pipeline(dead, {"every": "2s"}),
            "fine": csv_to_table("fine", {"every": "2s"}),
        },
        extra_connections={"src": {"type": "sql", "url": dead}},
    )
    serve = Serve(tmp_path, pg_url, "serve")
    try:
        wait_until(
            lambda: rows(store, "select count(*) from pipeline_runs where pipeline = 'down' "
                         "and state = 'failed'")[0][0] >= 1
            and rows(store, "select count(*) from pipeline_runs where pipeline = 'fine' "
                     "and state = 'success'")[0][0] >= 2,
            30,
            what="a failed run of 'down' and successful runs of 'fine'",
        )  # fmt: skip
    finally:
        serve.terminate()
    failed = rows(
        store, "select error from pipeline_runs where pipeline = 'down' and state = 'failed'"
    )
    assert failed[0][0].startswith("ex: ")
    assert f"connection 'src' ({dead}) failed" in failed[0][0]
    assert rows(
        store, "select count(*) from task_attempts a join pipeline_runs r on r.id = a.run_id "
        "where r.id = (select id from pipeline_runs where pipeline = 'down' and state = 'failed' "
        "order by created_at limit 1) and a.task = 'ex'",
    )[0][0] == 4  # 1 + 3 retries  # fmt: skip
    failed_fine = "select count(*) from pipeline_runs where pipeline = 'fine' and state = 'failed'"
    assert rows(store, failed_fine)[0][0] == 0  # (a run in flight at SIGTERM ends aborted)


def test_postgres_sessions_killed_while_serve_runs_lose_no_run(
    tmp_path: Path, pg_url: str, store: sa.Engine
) -> None:
    """Simulates a store restart by terminating every server session of the test
    database (pg_terminate_backend), twice; the machine's PostgreSQL itself is
    shared with other tests and is not restarted."""
    pipelines = {
        f"p{i}": csv_to_table(f"t{i}", {"every": "2s", "catchup": "all"}) for i in range(2)
    }
    write_project(tmp_path, pg_url, pipelines)
    database = sa.make_url(pg_url).database
    serve = Serve(tmp_path, pg_url, "serve")
    try:
        wait_until(lambda: rows(store, "select count(*) from pipeline_runs where state = 'success'")
                   [0][0] >= 4, 40, what="first runs")  # fmt: skip
        for _ in range(2):
            killed = rows(
                store,
                "select count(pg_terminate_backend(pid)) from pg_stat_activity "
                "where datname = :db and pid <> pg_backend_pid()",
                db=database,
            )[0][0]
            assert killed >= 1
            time.sleep(2.5)
        since = datetime.now(UTC)
        wait_until(
            lambda: rows(store, "select count(*) from pipeline_runs where state = 'success' "
                         "and scheduled_for > :t", t=since)[0][0] >= 4,
            20,
            what="runs after the sessions were killed",
        )  # fmt: skip
        time.sleep(4)  # let orphaned runs (if any) pass their lease and be recovered
    finally:
        serve.terminate()
    assert serve.proc.returncode == 0, serve.output()[-3000:]
    assert _duplicates(store) == []
    for name in pipelines:
        slots = rows(store, "select scheduled_for, status from schedule_slots where pipeline = :p "
                     "order by 1", p=name)  # fmt: skip
        times = [s[0] for s in slots]
        assert _steps(times) == {2.0}
        assert {s[1] for s in slots} == {"run"}
    unfinished = rows(store, "select id, state, error from pipeline_runs "
                      "where state not in ('success', 'aborted')")  # fmt: skip
    # runs in flight at the kills were orphaned and recovered; only the newest may still wait
    assert all(r[1] in ("queued", "running") for r in unfinished) and len(unfinished) <= 2, (
        unfinished
    )
