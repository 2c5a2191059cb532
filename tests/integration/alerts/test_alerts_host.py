"""How `serve` hosts the evaluator: from the project's alerts, paced by evaluation_interval."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy.orm import Session

from alerts import AlertsConfig
from monitor.metrics import AlertHost, evaluator_for
from tests.integration.alerts.alerts_rows import T0, add_check, store

ROOT = Path(__file__).parents[3]


def test_the_example_project_gets_an_evaluator_paced_by_its_interval(tmp_path: Path) -> None:
    engine = store(f"sqlite:///{tmp_path / 'rk.db'}")
    with Session(engine) as s, s.begin():
        add_check(s, "production.orders", "missing(customer_id)", "fail", 3.0, T0)
    host = evaluator_for(SimpleNamespace(config_dir=ROOT / "config", extras={}), engine)
    assert isinstance(host, AlertHost)
    assert host.every == timedelta(seconds=15)
    first = host.tick(T0)
    assert first is not None and first.firing == 1  # CheckFailed has no `for:`
    assert host.tick(T0 + timedelta(seconds=14)) is None  # not due yet
    assert host.tick(T0 + timedelta(seconds=15)) is not None
    host.close()
    engine.dispose()


def test_loaded_alerts_are_used_and_no_rules_means_no_evaluator(tmp_path: Path) -> None:
    engine = store(f"sqlite:///{tmp_path / 'rk.db'}")
    project = SimpleNamespace(config_dir=tmp_path, extras={"alerts": AlertsConfig()})
    assert evaluator_for(project, engine) is None
    assert evaluator_for(SimpleNamespace(config_dir=tmp_path, extras={}), engine) is None
    engine.dispose()


def test_a_standby_taking_over_continues_from_the_store(tmp_path: Path) -> None:
    """Two `serve` processes: the active one notifies; the standby, ticked only after it
    takes over, reloads the state and neither repeats the alert nor misses its end."""
    from tests.integration.alerts.alerts_receivers import http_receiver

    engine = store(f"sqlite:///{tmp_path / 'rk.db'}")
    with http_receiver() as rx:
        config = AlertsConfig.model_validate(
            {
                "channels": {"hook": {"type": "webhook", "url": rx.url}},
                "default_routing": ["hook"],
                "evaluation_interval": "10s",
                "grouping": {"group_wait": "0s", "group_interval": "10s"},
                "rules": [{"name": "CheckFailed", "type": "check_failed"}],
            }
        )
        active, standby = AlertHost(engine, config), AlertHost(engine, config)
        standby.tick(T0 - timedelta(minutes=10))  # it was active once, long ago
        with Session(engine) as s, s.begin():
            add_check(s, "production.orders", "missing(customer_id)", "fail", 3.0, T0)
        active.tick(T0)
        active.tick(T0 + timedelta(seconds=10))
        assert [r.body["status"] for r in rx.got] == ["firing"]
        # the active one dies; the standby takes over two minutes later
        standby.tick(T0 + timedelta(minutes=2))
        assert [r.body["status"] for r in rx.got] == ["firing"]
        with Session(engine) as s, s.begin():
            add_check(
                s,
                "production.orders",
                "missing(customer_id)",
                "pass",
                0.0,
                T0 + timedelta(minutes=2, seconds=5),
            )
        standby.tick(T0 + timedelta(minutes=2, seconds=10))
        assert [r.body["status"] for r in rx.got] == ["firing", "resolved"]
        active.close()
        standby.close()
    engine.dispose()
