"""Time-ordered run ids (UUIDv7), also used as OpenLineage run ids."""

from __future__ import annotations

from datetime import datetime


def uuid7(at: datetime) -> str:
    from openlineage.client.uuid import generate_new_uuid

    return str(generate_new_uuid(at))
