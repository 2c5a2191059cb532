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
    checks = project.extras.get("checks") or {}
    alerts = project.extras.get("alerts")
    rules = len(getattr(alerts, "rules", ()) or ())
    typer.echo(
        f"config OK: {len(project.pipelines)} pipelines ({tasks} tasks), "
        f"{len(project.connections)} connections, {len(checks)} checked datasets, "
        f"{rules} alert rules in {project.config_dir}"
    )
