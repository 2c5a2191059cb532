"""Sources and targets, one module per kind. Add a kind: a model with `type` here."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from monitor.connectors.files import CsvSource
from monitor.connectors.sql import SqlSource, SqlTarget

SourceSpec = Annotated[CsvSource | SqlSource, Field(discriminator="type")]
TargetSpec = Annotated[SqlTarget, Field(discriminator="type")]

__all__ = ["CsvSource", "SourceSpec", "SqlSource", "SqlTarget", "TargetSpec"]
