"""Alert instances, notification groups, history events, and where they are kept.

The evaluator keeps its state in memory and hands every change to a
`StateStore` after each tick; `MemoryStateStore` keeps it in memory (tests,
dry runs), `monitor.metrics.SqlAlertStore` keeps it in the store's tables so a
restart neither forgets firing alerts nor repeats notifications.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

PENDING, FIRING, RESOLVED = "pending", "firing", "resolved"


def fingerprint(labels: dict[str, str]) -> str:
    """A stable 16-hex-digit id of a label set (like Alertmanager's)."""
    text = json.dumps(sorted(labels.items()), separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class AlertInstance:
    """One rule firing for one label set."""

    rule: str
    fingerprint: str
    labels: dict[str, str]
    annotations: dict[str, str]
    severity: str
    state: str
    value: float | None
    active_at: datetime
    updated_at: datetime
    fired_at: datetime | None = None
    resolved_at: datetime | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.rule, self.fingerprint


@dataclass
class GroupState:
    """What one channel was last told about one group of alerts."""

    channel: str
    group_key: str
    labels: dict[str, str]
    first_seen_at: datetime
    last_sent_at: datetime | None = None
    last_digest: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.channel, self.group_key


@dataclass(frozen=True)
class HistoryEvent:
    at: datetime
    rule: str
    fingerprint: str
    event: str  # pending | firing | resolved | notified | failed
    severity: str
    labels: dict[str, str]
    value: float | None = None
    channel: str | None = None
    message: str = ""


@dataclass
class Changes:
    """Everything one tick changed."""

    instances: list[AlertInstance] = field(default_factory=list)  # upsert
    removed: list[tuple[str, str]] = field(default_factory=list)  # pending alerts that ended
    groups: list[GroupState] = field(default_factory=list)  # upsert
    removed_groups: list[tuple[str, str]] = field(default_factory=list)
    history: list[HistoryEvent] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.instances or self.removed or self.groups or self.removed_groups or self.history
        )


class StateStore(Protocol):
    def load(self) -> tuple[list[AlertInstance], list[GroupState]]:
        """Unresolved alerts, recently resolved ones, and every group."""
        ...

    def save(self, changes: Changes) -> None: ...


class MemoryStateStore:
    """A StateStore in memory: keeps the history list for inspection."""

    def __init__(self) -> None:
        self.instances: dict[tuple[str, str], AlertInstance] = {}
        self.groups: dict[tuple[str, str], GroupState] = {}
        self.history: list[HistoryEvent] = []

    def load(self) -> tuple[list[AlertInstance], list[GroupState]]:
        return list(self.instances.values()), list(self.groups.values())

    def save(self, changes: Changes) -> None:
        for inst in changes.instances:
            self.instances[inst.key] = copy.deepcopy(inst)
        for key in changes.removed:
            self.instances.pop(key, None)
        for group in changes.groups:
            self.groups[group.key] = copy.deepcopy(group)
        for key in changes.removed_groups:
            self.groups.pop(key, None)
        self.history.extend(changes.history)
