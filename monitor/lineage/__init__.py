"""OpenLineage emission (outbox + background sender) and the lineage graph.

Entry points (imported lazily: openlineage-python takes ~0.35 s to import):

* `open_lineage(engine, project_spec) -> Lineage` — listener + started sender; `.close(timeout)`.
* `lineage_listener(engine, settings) -> OutboxListener` — the runner's RunListener.
* `start_sender(engine, transport) -> OutboxSender` — background delivery; `.drain(timeout)`.
* `transport_from_config() -> Transport` — the transport the OpenLineage config chooses.
* `record_check_run(engine, settings, dataset, outcomes, started, ended)` — a standalone
  `riverkeeper check` run as its own job with data quality facets.
* `backlog(engine) -> Backlog` — what waits in the outbox (metrics, CLI line).
* `sql_lineage(sql, dialect, resolve, target=) -> SqlLineage` — lineage of a SQL model.
* `lineage_graph(engine, dataset, ...) -> LineageGraph` — upstream/downstream graph;
  `cached_store(engine)` + `build_graph(store, dataset, ...)` for repeated reads.
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
    "sql_lineage": "sql",
    "SqlLineage": "sql",
    "LineageGraph": "graph_model",
    "lineage_graph": "graph",
    "build_graph": "graph",
    "cached_store": "graph",
    "load_store": "graph",
    "record_check_run": "checkrun",
    "Lineage": "wiring",
    "open_lineage": "wiring",
}
__all__ = [
    "Backlog",
    "DrainResult",
    "EventBuilder",
    "Lineage",
    "LineageGraph",
    "LineageSettings",
    "OutboxListener",
    "OutboxSender",
    "SqlLineage",
    "backlog",
    "build_graph",
    "cached_store",
    "lineage_graph",
    "lineage_listener",
    "load_store",
    "open_lineage",
    "record_check_run",
    "sql_column_lineage",
    "sql_lineage",
    "start_sender",
    "transport_from_config",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'monitor.lineage' has no attribute {name!r}")
    return getattr(import_module(f"monitor.lineage.{_WHERE[name]}"), name)
