"""Sources and targets, one module per kind. Add a kind: a model with `type` here."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from monitor.connectors.files import CsvSource
from monitor.connectors.jsonfile import JsonSource
from monitor.connectors.lake import ParquetTarget
from monitor.connectors.parquet import ParquetSource
from monitor.connectors.rest import HttpSource
from monitor.connectors.sql import SqlSource
from monitor.connectors.sqltarget import SqlTarget

SourceSpec = Annotated[
    CsvSource | JsonSource | ParquetSource | SqlSource | HttpSource, Field(discriminator="type")
]
TargetSpec = Annotated[SqlTarget | ParquetTarget, Field(discriminator="type")]

__all__ = [
    "CsvSource",
    "HttpSource",
    "JsonSource",
    "ParquetSource",
    "ParquetTarget",
    "SourceSpec",
    "SqlSource",
    "SqlTarget",
    "TargetSpec",
]
