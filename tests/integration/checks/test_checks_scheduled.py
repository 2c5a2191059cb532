"""Checks files with a `schedule:` run on their fire times in `serve` (ScheduledChecks,
ticked with a hand-moved clock), and a bad schedule is a config error with its line."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.errors import ConfigError
from monitor.quality.scheduled import ScheduledChecks
from monitor.service import open_project, open_store

T0 = datetime(2024, 3, 4, 10, 0, 30, tzinfo=UTC)  # 30 s after a fire time of "every hour"


def project(root: Path, schedule: str = "schedule: {every: 1h}") -> Path:
    config = root / "config"
    (config / "checks").mkdir(parents=True)
    (config / "riverkeeper.yaml").write_text(
        textwrap.dedent(f"""\
        store: {{url: "sqlite:///{root / "store.db"}"}}
        connections:
          src: {{type: sql, url: "sqlite:///{root / "src.db"}"}}
        """)
    )
    (config / "checks" / "orders.yaml").write_text(
        f"dataset: src.orders\n{schedule}\nchecks:\n  - {{type: row_count, fail: '< 3'}}\n"
    )
    (config / "checks" / "other.yaml").write_text(  # no schedule: never run by serve
        "dataset: src.other\nchecks:\n  - {type: row_count}\n"
    )
    src = sa.create_engine(f"sqlite:///{root / 'src.db'}")
    with src.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE orders (id INTEGER)")
        conn.exec_driver_sql("INSERT INTO orders VALUES (1), (2)")
    src.dispose()
    return config


def results(root: Path) -> list[tuple[str, str]]:
    engine = sa.create_engine(f"sqlite:///{root / 'store.db'}")
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT dataset, outcome FROM check_results ORDER BY executed_at"
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_a_scheduled_checks_file_runs_once_per_fire_time(tmp_path: Path) -> None:
    proj = open_project(project(tmp_path), env={})
    store = open_store(proj)
    scheduled = ScheduledChecks(lambda: proj, store)
    try:
        assert scheduled.tick(T0) == ["src.orders"]  # no result yet: the 10:00 fire time
        scheduled.wait()
        assert results(tmp_path) == [("src.orders", "fail")]  # 2 rows, fail when < 3
        assert scheduled.tick(T0 + timedelta(minutes=20)) == []  # 10:00 is done
        assert scheduled.tick(T0 + timedelta(hours=1)) == ["src.orders"]  # 11:00
        scheduled.wait()
        assert len(results(tmp_path)) == 2
        # a restart reads the newest result back from the store: nothing is repeated
        again = ScheduledChecks(lambda: proj, store)
        assert again.tick(T0 + timedelta(hours=1, minutes=5)) == []
        assert again.tick(T0 + timedelta(hours=2)) == ["src.orders"]
        again.wait()
        again.close()
    finally:
        scheduled.close()
        store.close()
    assert len(results(tmp_path)) == 3


def test_a_bad_schedule_is_a_config_error_with_its_line(tmp_path: Path) -> None:
    config = project(tmp_path, "schedule: {cron: '61 * * * *'}")
    with pytest.raises(ConfigError) as info:
        open_project(config, env={})
    assert "checks/orders.yaml:2:" in str(info.value)
    assert "invalid cron expression '61 * * * *'" in str(info.value)
