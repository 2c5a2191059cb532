"""`riverkeeper run`: run pipelines now (or resume a failed run)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from monitor.cli.common import ExitCode, print_json, state


def register(app: typer.Typer) -> None:
    app.command("run")(run)


def run(
    ctx: typer.Context,
    pipelines: Annotated[
        list[str] | None, typer.Argument(help="Pipelines to run (in this order).")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Run every pipeline of the project.")] = False,
    logical_date: Annotated[
        datetime | None,
        typer.Option(
            "--logical-date",
            help="Start of the data interval to run (default: the latest complete one).",
        ),
    ] = None,
    resume: Annotated[
        str | None,
        typer.Option("--resume", help="Rerun only what did not succeed in this run id."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the runs and their tasks as JSON.")
    ] = False,
) -> None:
    """Run pipelines now and record every run and task in the store."""
    from monitor.cli.progress import Progress
    from monitor.errors import UsageError
    from monitor.service import run_pipelines

    project = state(ctx).project()
    names = list(project.pipelines) if all_ else list(pipelines or [])
    if not names and not resume:
        raise UsageError("name a pipeline, or use --all or --resume RUN_ID")
    if logical_date is not None and logical_date.tzinfo is None:
        from datetime import UTC

        logical_date = logical_date.replace(tzinfo=UTC)
    progress = Progress(enabled=not as_json)
    results = run_pipelines(
        project,
        names,
        logical_date=logical_date,
        listeners=[progress],
        resume=resume,
        on_checks=None if as_json else lambda done: typer.echo(done.summary()),
    )
    if as_json:
        from monitor.service import open_store

        store = open_store(project)
        try:
            print_json([store.get_run(r.run_id).as_dict() for r in results])  # type: ignore[union-attr]
        finally:
            store.close()
    if any(not r.ok for r in results):
        raise typer.Exit(ExitCode.FAILED)
