"""OpenLineage emission (outbox + background sender) and the lineage graph.

Entry points (imported lazily: openlineage-python takes ~0.35 s to import):

* `lineage_listener(engine, settings) -> OutboxListener` — the runner's RunListener.
* `start_sender(engine, transport) -> OutboxSender` — background delivery; `.drain(timeout)`.
* `transport_from_config() -> Transport` — the transport the OpenLineage config chooses.
* `backlog(engine) -> Backlog` — what waits in the outbox (metrics, CLI line).
* `sql_column_lineage(sql, dialect, resolve)` — column lineage of a SQL model.
* `lineage_graph(engine, dataset, ...) -> LineageGraph` — upstream/downstream graph.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "Backlog": "outbox",
    "EventBuilder": "events",
    "LineageSettings": "events",
    "OutboxListener": "outbox",
    "backlog": "outbox",
    "lineage_listener": "outbox",
    "DrainResult": "sender",
    "OutboxSender": "sender",
    "start_sender": "sender",
    "transport_from_config": "transport",
    "sql_column_lineage": "sql",
    "LineageGraph": "graph",
    "lineage_graph": "graph",
}
__all__ = [
    "Backlog",
    "DrainResult",
    "EventBuilder",
    "LineageGraph",
    "LineageSettings",
    "OutboxListener",
    "OutboxSender",
    "backlog",
    "lineage_graph",
    "lineage_listener",
    "sql_column_lineage",
    "start_sender",
    "transport_from_config",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'monitor.lineage' has no attribute {name!r}")
    return getattr(import_module(f"monitor.lineage.{_WHERE[name]}"), name)
