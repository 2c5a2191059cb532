"""The built-in evaluator: Prometheus' rule states plus Alertmanager's grouping, in one loop.

`Evaluator(config, source, notifiers, store).tick(now)` reads the samples the
collector exports (`source(now)`), moves every alert instance through
pending → firing → resolved (honouring `for:`), and notifies each routed
channel per group: after `group_wait` for a new group, after `group_interval`
when the group changed (new alert, resolution), every `repeat_interval` while
nothing changed. Time is passed in; nothing here sleeps or reads a clock.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts import conditions, promql, templating
from alerts import metrics as m
from alerts.config import AlertsConfig, ErrorRateRule, RuleBase
from alerts.notify.base import Notification, Notifier, NotifyError
from alerts.state import (
    FIRING,
    PENDING,
    RESOLVED,
    AlertInstance,
    Changes,
    GroupState,
    HistoryEvent,
    MemoryStateStore,
    StateStore,
    fingerprint,
)

Source = Callable[[datetime], Iterable[conditions.MetricFamily]]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickResult:
    pending: int
    firing: int
    sent: int
    failed: int
    evaluated: bool  # False when the store could not be read (nothing changed)


def _event(inst: AlertInstance, at: datetime, event: str, **extra: str) -> HistoryEvent:
    return HistoryEvent(
        at,
        inst.rule,
        inst.fingerprint,
        event,
        inst.severity,
        dict(inst.labels),
        inst.value,
        **extra,
    )


class Evaluator:
    def __init__(
        self,
        config: AlertsConfig,
        source: Source,
        notifiers: Mapping[str, Notifier],
        store: StateStore | None = None,
    ) -> None:
        missing = sorted(set(config.channels) - set(notifiers))
        if missing:
            raise ValueError(f"no notifier for channel(s) {', '.join(missing)}")
        self.config, self.source, self.notifiers = config, source, notifiers
        self.store = store if store is not None else MemoryStateStore()
        self.rules = {r.name: r for r in config.rules}
        instances, groups = self.store.load()
        self.instances = {i.key: i for i in instances}
        self.groups = {g.key: g for g in groups}
        self._unsaved: list[Changes] = []
        windows = [r.window for r in config.rules if isinstance(r, ErrorRateRule)]
        self.history = conditions.CounterHistory(
            [m.RECORDS_PROCESSED_TOTAL] if windows else [],
            keep=max(windows, default=timedelta(0)) + timedelta(minutes=1),
        )

    # ---- rule states --------------------------------------------------------------------

    def tick(self, now: datetime) -> TickResult:
        """Evaluate every rule at `now`, notify what is due, persist the changes."""
        changes = Changes()
        view = conditions.SampleView(self.source(now), self.history)
        up = view.series.get(m.STORE_UP, {}).get((), 1.0)
        if up:
            self.history.record(now, view.series)
            for rule in self.config.rules:
                self._evaluate(rule, view, now, changes)
            self._retire_unknown_rules(now, changes)
        else:
            log.warning("alerts: the store could not be read; alert states kept as they were")
        sent, failed = self._notify(now, changes)
        self._forget()
        if changes:
            self._unsaved.append(changes)
        self._save()
        states = [i.state for i in self.instances.values()]
        return TickResult(states.count(PENDING), states.count(FIRING), sent, failed, bool(up))

    def _save(self) -> None:
        """Persist every tick's changes in order; keep what fails for the next tick."""
        while self._unsaved:
            try:
                self.store.save(self._unsaved[0])
            except Exception as exc:  # noqa: BLE001 - e.g. the store restarts: retry next tick
                log.warning(
                    "alerts: cannot save alert state (%d ticks pending): %s",
                    len(self._unsaved),
                    exc,
                )
                return
            self._unsaved.pop(0)

    def _evaluate(
        self, rule: RuleBase, view: conditions.SampleView, now: datetime, changes: Changes
    ) -> None:
        templates = promql.rule_annotations(rule)
        seen = set()
        for series, value in sorted(conditions.active(rule, view, now).items()):
            labels = {**dict(series), **rule.labels, "severity": rule.severity}
            labels["alertname"] = rule.name
            key = (rule.name, fingerprint(labels))
            seen.add(key)
            inst = self.instances.get(key)
            if inst is None or inst.state == RESOLVED:
                inst = AlertInstance(
                    rule.name, key[1], labels, {}, rule.severity, PENDING, value, now, now
                )
                self.instances[key] = inst
                changes.history.append(_event(inst, now, PENDING))
            inst.value, inst.updated_at = value, now
            inst.annotations = {
                k: templating.render(t, dict(series), value) for k, t in templates.items()
            }
            if inst.state == PENDING and now - inst.active_at >= rule.for_:
                inst.state, inst.fired_at = FIRING, now
                changes.history.append(_event(inst, now, FIRING))
            changes.instances.append(inst)
        for key, inst in list(self.instances.items()):
            if inst.rule == rule.name and key not in seen:
                self._end(inst, now, changes)

    def _end(self, inst: AlertInstance, now: datetime, changes: Changes) -> None:
        if inst.state == PENDING:  # never fired: forget it
            del self.instances[inst.key]
            changes.removed.append(inst.key)
            changes.history.append(_event(inst, now, "inactive"))
        elif inst.state == FIRING:
            inst.state, inst.resolved_at, inst.updated_at = RESOLVED, now, now
            changes.instances.append(inst)
            changes.history.append(_event(inst, now, RESOLVED))

    def _retire_unknown_rules(self, now: datetime, changes: Changes) -> None:
        for inst in list(self.instances.values()):
            if inst.rule not in self.rules:
                self._end(inst, now, changes)

    # ---- notifications ------------------------------------------------------------------

    def _routes(self, inst: AlertInstance) -> list[tuple[str, dict[str, str]]]:
        rule = self.rules.get(inst.rule)
        channels = self.config.routing_of(rule) if rule else self.config.default_routing
        by = self.config.grouping.group_by
        group_labels = {k: inst.labels[k] for k in by if k in inst.labels}
        return [(channel, group_labels) for channel in channels]

    def _notify(self, now: datetime, changes: Changes) -> tuple[int, int]:
        buckets: dict[tuple[str, str], tuple[dict[str, str], list[AlertInstance]]] = {}
        for inst in self.instances.values():
            for channel, group_labels in self._routes(inst):
                key = (channel, fingerprint(group_labels))
                buckets.setdefault(key, (group_labels, []))[1].append(inst)
        sent = failed = 0
        for key in sorted(set(buckets) | set(self.groups)):
            group_labels, members = buckets.get(key, ({}, []))
            outcome = self._notify_group(key, group_labels, members, now, changes)
            sent += outcome == "sent"
            failed += outcome == "failed"
        return sent, failed

    def _notify_group(
        self,
        key: tuple[str, str],
        group_labels: dict[str, str],
        members: list[AlertInstance],
        now: datetime,
        changes: Changes,
    ) -> str:
        g = self.config.grouping
        channel = key[0]
        firing = sorted((a for a in members if a.state == FIRING), key=lambda a: a.key)
        group = self.groups.get(key)
        if group is None:
            if not firing:
                return ""
            group = GroupState(channel, key[1], group_labels, first_seen_at=now)
            self.groups[key] = group
            changes.groups.append(group)
        resolved = sorted(
            (a for a in members if self._unsent_resolution(a, group)), key=lambda a: a.key
        )
        if not self.config.channels[channel].send_resolved:
            resolved = []
        if not firing and not resolved:
            del self.groups[key]  # nothing left to say; a new alert waits group_wait again
            changes.removed_groups.append(key)
            return ""
        digest = hashlib.sha256(",".join(a.fingerprint for a in firing).encode()).hexdigest()[:16]
        if group.last_sent_at is None:
            due = bool(firing) and now - group.first_seen_at >= g.group_wait
        elif digest != group.last_digest or resolved:
            due = now - group.last_sent_at >= g.group_interval
        else:
            due = now - group.last_sent_at >= g.repeat_interval
        if not due:
            return ""
        return self._send(group, firing + resolved, digest, now, changes)

    @staticmethod
    def _unsent_resolution(inst: AlertInstance, group: GroupState) -> bool:
        """Resolved after the last notification, which told the channel it was firing."""
        return (
            inst.state == RESOLVED
            and inst.fired_at is not None
            and inst.resolved_at is not None
            and group.last_sent_at is not None
            and inst.fired_at <= group.last_sent_at < inst.resolved_at
        )

    def _send(
        self,
        group: GroupState,
        alerts: list[AlertInstance],
        digest: str,
        now: datetime,
        changes: Changes,
    ) -> str:
        labels = ", ".join(f'{k}="{v}"' for k, v in sorted(group.labels.items()))
        notification = Notification(
            receiver=group.channel,
            group_key=f"{{}}:{{{labels}}}",
            group_labels=dict(group.labels),
            alerts=tuple(copy.deepcopy(a) for a in alerts),  # a snapshot
            external_url=self.config.external_url,
        )
        try:
            self.notifiers[group.channel].send(notification)
        except Exception as exc:  # a notifier bug must not stop alerting
            if not isinstance(exc, NotifyError):
                log.exception("alerts: channel %r failed unexpectedly", group.channel)
                exc = NotifyError(group.channel, f"{type(exc).__name__}: {exc}")
            log.warning("alerts: %s", exc)
            changes.history.extend(
                _event(a, now, "failed", channel=group.channel, message=str(exc)) for a in alerts
            )
            return "failed"
        changes.history.extend(
            _event(a, now, "notified", channel=group.channel, message=a.state) for a in alerts
        )
        group.last_sent_at, group.last_digest = now, digest
        if any(a.state == FIRING for a in alerts):
            changes.groups.append(group)
        else:
            del self.groups[group.key]
            changes.removed_groups.append(group.key)
        return "sent"

    def _forget(self) -> None:
        """Drop resolved alerts from memory once no channel still owes their resolution."""
        for key, inst in list(self.instances.items()):
            if inst.state != RESOLVED:
                continue
            owed = False
            for channel, group_labels in self._routes(inst):
                group = self.groups.get((channel, fingerprint(group_labels)))
                if group is not None and self._unsent_resolution(inst, group):
                    owed = True
            if not owed:
                del self.instances[key]
