"""`riverkeeper schema`: JSON Schemas of the config files, for editors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from monitor.cli.common import print_json


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)


def schema(
    kind: Annotated[
        str | None,
        typer.Argument(help="One of: project, pipeline, checks, alerts (default: all)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write <kind>.schema.json files into this folder."),
    ] = None,
) -> None:
    """Print JSON Schemas of riverkeeper.yaml, pipelines/*.yaml, checks/*.yaml and alerts.yaml."""
    from monitor.config.schema import schemas
    from monitor.errors import UsageError

    all_schemas = schemas()
    if kind is not None and kind not in all_schemas:
        raise UsageError(f"unknown schema {kind!r}; choose from {', '.join(all_schemas)}")
    chosen = {kind: all_schemas[kind]} if kind else all_schemas
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name, value in chosen.items():
            (out / f"{name}.schema.json").write_text(json.dumps(value, indent=2) + "\n")
        typer.echo(f"wrote {len(chosen)} schema(s) to {out}")
        return
    print_json(chosen[kind] if kind else chosen)
