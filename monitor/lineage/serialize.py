"""The JSON stored and sent for an event: compact, pruned, with no secrets."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from openlineage.client.event_v2 import RunEvent
from openlineage.client.serde import Serde

from monitor.lineage.redact import scrub


def serialize(event: RunEvent, secrets: Iterable[str] = ()) -> str:
    """The JSON sent and stored for an event: sorted keys, no nulls, no secrets."""
    payload = _scrubbed(_prune(Serde.to_dict(event)), tuple(secrets))
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def _scrubbed(value: Any, secrets: tuple[str, ...]) -> Any:
    """String values scrubbed (never keys: a short secret must not break the JSON)."""
    if isinstance(value, dict):
        return {k: _scrubbed(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, secrets) for v in value]
    return scrub(value, secrets) if isinstance(value, str) else value


# Optional containers the client always writes, even empty ("facets": {}, "fields": []).
_OPTIONAL_EMPTY = {
    "facets",
    "inputFacets",
    "outputFacets",
    "params",
    "quantiles",
    "fields",
    "transformations",
    "dataset",
    "inputs",
    "outputs",
}


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if not (k in _OPTIONAL_EMPTY and v in ({}, []))}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value
