"""The built-in evaluator: pending → firing → resolved, `for:`, grouping, repeats, restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client.core import GaugeMetricFamily

from alerts import AlertsConfig, Evaluator, MemoryStateStore
from alerts.notify import Notification, NotifyError

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
S = timedelta(seconds=1)


class Inbox:
    """The edge of the system: records what a channel was asked to deliver."""

    def __init__(self, name: str, fail: bool = False) -> None:
        self.name, self.fail, self.got = name, fail, []  # type: ignore[var-annotated]

    def send(self, notification: Notification) -> None:
        if self.fail:
            raise NotifyError(self.name, "connection refused")
        self.got.append(notification)

    def summary(self) -> list[tuple[str, list[tuple[str, str]]]]:
        return [
            (n.status, [(a.labels.get("pipeline", ""), a.state) for a in n.alerts])
            for n in self.got
        ]


class Store:
    """The metrics the evaluator reads: last success time per pipeline, store up or not."""

    def __init__(self) -> None:
        self.last_success: dict[str, datetime] = {}
        self.up = True

    def families(self, now: datetime) -> list[Any]:
        fam = GaugeMetricFamily("pipeline_last_success_timestamp_seconds", "", labels=["pipeline"])
        for pipeline, at in self.last_success.items():
            fam.add_metric([pipeline], at.timestamp())
        up = GaugeMetricFamily("riverkeeper_store_up", "")
        up.add_metric([], 1 if self.up else 0)
        return [fam, up] if self.up else [up]


def config(**grouping: Any) -> AlertsConfig:
    return AlertsConfig.model_validate(
        {
            "channels": {
                "hook": {"type": "webhook", "url": "http://127.0.0.1:1/"},
                "quiet": {"type": "log", "send_resolved": False},
            },
            "default_routing": ["hook"],
            "grouping": {
                "group_by": ["alertname", "pipeline"],
                "group_wait": "10s",
                "group_interval": "30s",
                "repeat_interval": "1h",
                **grouping,
            },
            "rules": [
                {
                    "name": "PipelineStale",
                    "type": "pipeline_stale",
                    "max_age": "1h",
                    "for": "1m",
                    "severity": "critical",
                    "labels": {"team": "data"},
                },
            ],
        }
    )


def setup(
    cfg: AlertsConfig | None = None, store: MemoryStateStore | None = None
) -> tuple[Evaluator, Store, Inbox, MemoryStateStore]:
    data, inbox, state = Store(), Inbox("hook"), store or MemoryStateStore()
    ev = Evaluator(cfg or config(), data.families, {"hook": inbox, "quiet": Inbox("quiet")}, state)
    return ev, data, inbox, state


def test_pending_then_firing_after_for_then_one_notification_and_one_resolution() -> None:
    ev, data, inbox, state = setup()
    data.last_success["orders"] = T0 - timedelta(minutes=59)
    assert ev.tick(T0).pending == 0
    now = T0 + 61 * S  # 1h 0m 1s since success: condition true
    assert ev.tick(now).pending == 1
    assert ev.tick(now + 59 * S).firing == 0  # `for: 1m` not over
    result = ev.tick(now + 60 * S)
    assert (result.pending, result.firing, result.sent) == (0, 1, 0)  # group_wait 10s
    assert ev.tick(now + 69 * S).sent == 0
    assert ev.tick(now + 70 * S).sent == 1
    (n,) = inbox.got
    alert = n.alerts[0]
    assert alert.labels == {
        "alertname": "PipelineStale",
        "pipeline": "orders",
        "severity": "critical",
        "team": "data",
    }
    assert alert.annotations["summary"] == "Pipeline orders has not succeeded for over 1h"
    assert (
        alert.annotations["description"] == "Last success 1h 1m 11s ago."
    )  # re-rendered at each tick
    assert alert.fired_at == now + 60 * S
    for i in range(1, 20):  # no repeat before repeat_interval
        ev.tick(now + 70 * S + i * 60 * S)
    assert len(inbox.got) == 1
    data.last_success["orders"] = now + 25 * 60 * S  # a run succeeded
    ev.tick(now + 26 * 60 * S)
    assert inbox.summary() == [
        ("firing", [("orders", "firing")]),
        ("resolved", [("orders", "resolved")]),
    ]
    assert inbox.got[1].alerts[0].resolved_at == now + 26 * 60 * S
    events = [e.event for e in state.history]
    assert events == ["pending", "firing", "notified", "resolved", "notified"]
    assert ev.instances == {} and ev.groups == {}


def test_a_condition_that_clears_while_pending_never_notifies() -> None:
    ev, data, inbox, state = setup()
    data.last_success["orders"] = T0 - 2 * timedelta(hours=1)
    ev.tick(T0)
    data.last_success["orders"] = T0
    ev.tick(T0 + 30 * S)
    for i in range(5):
        ev.tick(T0 + (60 + i * 30) * S)
    assert inbox.got == []
    assert [e.event for e in state.history] == ["pending", "inactive"]
    assert state.instances == {}


def test_groups_repeat_and_update_on_change() -> None:
    ev, data, inbox, _ = setup(config(group_by=["alertname"], repeat_interval="10m"))
    data.last_success.update(orders=T0 - timedelta(hours=2), billing=T0 - timedelta(hours=2))
    ev.tick(T0)
    ev.tick(T0 + 60 * S)  # both fire, one group
    ev.tick(T0 + 70 * S)
    assert inbox.summary() == [("firing", [("billing", "firing"), ("orders", "firing")])]
    data.last_success["billing"] = T0 + 80 * S
    ev.tick(T0 + 90 * S)  # changed, but group_interval (30 s) since the last send not over
    assert len(inbox.got) == 1
    ev.tick(T0 + 100 * S)
    assert inbox.summary()[1] == ("firing", [("orders", "firing"), ("billing", "resolved")])
    ev.tick(T0 + 100 * S + timedelta(minutes=9, seconds=59))
    assert len(inbox.got) == 2
    ev.tick(T0 + 100 * S + timedelta(minutes=10))  # repeat_interval: the same group again
    assert inbox.summary()[2] == ("firing", [("orders", "firing")])


def test_channels_without_send_resolved_get_no_resolution() -> None:
    cfg = config().model_copy(update={"default_routing": ["hook", "quiet"]})
    data, hook, quiet = Store(), Inbox("hook"), Inbox("quiet")
    ev = Evaluator(cfg, data.families, {"hook": hook, "quiet": quiet})
    data.last_success["orders"] = T0 - timedelta(hours=2)
    for t in (0, 60, 70):
        ev.tick(T0 + t * S)
    data.last_success["orders"] = T0 + 80 * S
    ev.tick(T0 + 110 * S)
    assert [n.status for n in hook.got] == ["firing", "resolved"]
    assert [n.status for n in quiet.got] == ["firing"]
    assert ev.groups == {}


def test_a_failed_delivery_is_retried_and_recorded() -> None:
    data, state = Store(), MemoryStateStore()
    broken = Inbox("hook", fail=True)
    ev = Evaluator(config(), data.families, {"hook": broken, "quiet": Inbox("quiet")}, state)
    data.last_success["orders"] = T0 - timedelta(hours=2)
    for t in (0, 60, 70):
        ev.tick(T0 + t * S)
    failed = [e for e in state.history if e.event == "failed"]
    assert [(e.channel, e.message) for e in failed] == [
        ("hook", "channel 'hook': connection refused")
    ]
    broken.fail = False
    assert ev.tick(T0 + 75 * S).sent == 1  # retried on the next tick


def test_an_unreadable_store_changes_nothing() -> None:
    ev, data, inbox, _ = setup()
    data.last_success["orders"] = T0 - timedelta(hours=2)
    for t in (0, 60, 70):
        ev.tick(T0 + t * S)
    data.up = False
    result = ev.tick(T0 + 600 * S)
    assert (result.evaluated, result.firing) == (False, 1)
    assert [n.status for n in inbox.got] == ["firing"]


def test_a_restart_continues_without_repeating_notifications() -> None:
    ev, data, inbox, state = setup()
    data.last_success["orders"] = T0 - timedelta(hours=2)
    for t in (0, 60, 70):
        ev.tick(T0 + t * S)
    assert len(inbox.got) == 1
    ev2, data2, inbox2, _ = setup(store=state)  # a new process on the same state
    data2.last_success["orders"] = T0 - timedelta(hours=2)
    ev2.tick(T0 + 200 * S)
    assert inbox2.got == []
    data2.last_success["orders"] = T0 + 250 * S
    ev2.tick(T0 + 300 * S)
    assert inbox2.summary() == [("resolved", [("orders", "resolved")])]


def test_a_rule_removed_from_the_config_resolves_its_alerts() -> None:
    ev, data, inbox, state = setup()
    data.last_success["orders"] = T0 - timedelta(hours=2)
    for t in (0, 60, 70):
        ev.tick(T0 + t * S)
    empty = config().model_copy(update={"rules": []})
    ev2 = Evaluator(empty, data.families, {"hook": inbox, "quiet": Inbox("quiet")}, state)
    ev2.tick(T0 + 120 * S)
    assert [n.status for n in inbox.got] == ["firing", "resolved"]


def test_every_channel_needs_a_notifier() -> None:
    with pytest.raises(ValueError, match="no notifier for channel\\(s\\) hook, quiet"):
        Evaluator(config(), Store().families, {})


class FlakyStore(MemoryStateStore):
    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def save(self, changes: Any) -> None:
        if self.down:
            raise ConnectionError("store is restarting")
        super().save(changes)


def test_unsaved_changes_are_saved_in_order_once_the_store_is_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    state = FlakyStore()
    ev, data, inbox, _ = setup(store=state)
    data.last_success["orders"] = T0 - timedelta(hours=2)
    state.down = True
    for t in (0, 60, 70):
        ev.tick(T0 + t * S)
    assert state.history == [] and len(inbox.got) == 1
    assert "cannot save alert state (3 ticks pending): store is restarting" in caplog.text
    state.down = False
    ev.tick(T0 + 80 * S)
    assert [e.event for e in state.history] == ["pending", "firing", "notified"]
    assert [i.state for i in state.instances.values()] == ["firing"]


class Broken:
    name = "hook"

    def send(self, notification: Notification) -> None:
        raise KeyError("bug")


def test_a_notifier_bug_is_recorded_as_a_failed_delivery() -> None:
    data, state = Store(), MemoryStateStore()
    ev = Evaluator(config(), data.families, {"hook": Broken(), "quiet": Inbox("quiet")}, state)
    data.last_success["orders"] = T0 - timedelta(hours=2)
    for t in (0, 60, 70):
        ev.tick(T0 + t * S)
    failed = [e.message for e in state.history if e.event == "failed"]
    assert failed == ["channel 'hook': KeyError: 'bug'"]


def test_empty_label_values_are_no_labels_as_in_prometheus() -> None:
    fam = GaugeMetricFamily("pipeline_data_freshness_seconds", "", labels=["pipeline", "dataset"])
    fam.add_metric(["", "production.orders"], 9000)
    cfg = AlertsConfig.model_validate(
        {"rules": [{"name": "StaleData", "type": "dataset_stale", "max_age": "2h"}]}
    )
    ev = Evaluator(cfg, lambda now: [fam], {})
    ev.tick(T0)
    (alert,) = ev.instances.values()
    assert alert.labels == {
        "alertname": "StaleData",
        "dataset": "production.orders",
        "severity": "warning",
    }
