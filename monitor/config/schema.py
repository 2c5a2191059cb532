"""JSON Schemas of every config file kind (for editor completion)."""

from __future__ import annotations

from typing import Any

import pydantic

from monitor.config.pipeline import PipelineFile
from monitor.config.project import ProjectFile


def schemas() -> dict[str, dict[str, Any]]:
    models: dict[str, type[pydantic.BaseModel]] = {"project": ProjectFile, "pipeline": PipelineFile}
    from alerts import AlertsFile
    from monitor.quality.config import DatasetChecksFile

    models["checks"] = DatasetChecksFile
    models["alerts"] = AlertsFile
    out = {}
    for name, model in models.items():
        value = model.model_json_schema(mode="validation")
        value["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        value["title"] = f"Riverkeeper {name} file"
        out[name] = value
    return out
