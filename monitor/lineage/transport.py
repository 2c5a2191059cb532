"""The transport the standard OpenLineage configuration chooses.

Resolution is openlineage-python's own, in its order: `OPENLINEAGE_DISABLED`,
then the merged config (`$OPENLINEAGE_CONFIG`, `./openlineage.yml`,
`~/.openlineage/openlineage.yml`, then `OPENLINEAGE__TRANSPORT__*` variables),
then `OPENLINEAGE_URL` (+ `OPENLINEAGE_ENDPOINT`, `OPENLINEAGE_API_KEY`), then
the console. The sender is given the resulting transport explicitly.
"""

from __future__ import annotations

import logging
from typing import Any

from openlineage.client import OpenLineageClient
from openlineage.client.transport import Transport, get_default_factory

log = logging.getLogger(__name__)


def transport_from_config(config: dict[str, Any] | None = None) -> Transport:
    """The transport of the standard OpenLineage config; `config` (a dict like
    openlineage.yml's) takes precedence over the file and the environment.

    With no configuration at all this is the console transport, quietly: the
    client's warning about it would land on every CLI command's stderr.
    """
    client_log = logging.getLogger("openlineage.client.client")
    level = client_log.level
    client_log.setLevel(logging.ERROR)
    try:
        client = OpenLineageClient(config=config) if config else OpenLineageClient()
    finally:
        client_log.setLevel(level)
    return client.transport


def transport_from_dict(transport: dict[str, Any]) -> Transport:
    """A transport from a `transport:` mapping, e.g. {"type": "http", "url": ...}."""
    return get_default_factory().create(dict(transport))


def describe_transport(transport: Transport) -> str:
    """`http http://host:5000/api/v1/lineage`, `file /path`, `composite [http, file]`..."""
    kind = transport.kind or type(transport).__name__
    url = getattr(transport, "url", None)
    if url:
        endpoint = getattr(transport, "endpoint", "")
        return f"{kind} {str(url).rstrip('/')}/{str(endpoint).lstrip('/')}"
    config = getattr(transport, "config", None)
    path = getattr(config, "log_file_path", None)
    if path:
        return f"{kind} {path}"
    children = getattr(transport, "transports", None)
    if children:
        return f"{kind} [{', '.join(describe_transport(t) for t in children)}]"
    return str(kind)
