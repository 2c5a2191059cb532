"""`riverkeeper validate`: check the whole config folder."""

from __future__ import annotations

import typer

from monitor.cli.common import state


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)


def validate(ctx: typer.Context) -> None:
    """Validate every config file, transforms and task graphs; print all errors at once."""
    project = state(ctx).project()
    tasks = sum(len(p.spec.tasks) for p in project.pipelines.values())
    typer.echo(
        f"config OK: {len(project.pipelines)} pipelines ({tasks} tasks), "
        f"{len(project.connections)} connections in {project.config_dir}"
    )
