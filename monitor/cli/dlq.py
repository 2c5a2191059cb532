"""`riverkeeper dlq`: the dead-letter queue — list, show, replay, purge."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from monitor.cli.common import ExitCode, print_json, state

dlq_app = typer.Typer(
    help="Records that failed parsing, casting or a row rule: list, show, replay, purge.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(dlq_app, name="dlq")


Pipeline = Annotated[str | None, typer.Option("--pipeline", "-p", help="Only this pipeline.")]
RunId = Annotated[str | None, typer.Option("--run", help="Only records of this run id.")]
Task = Annotated[str | None, typer.Option("--task", help="Only records of this task.")]
Reason = Annotated[str | None, typer.Option("--reason", help="Only reasons containing this text.")]
Ids = Annotated[list[int] | None, typer.Option("--id", help="Only these ids (repeatable).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _filter(
    pipeline: str | None,
    run: str | None,
    task: str | None,
    reason: str | None,
    status: str | None,
    ids: list[int] | None,
) -> Any:
    from monitor.scheduler.deadletters import Filter

    return Filter(
        pipeline, run, task, reason, None if status == "all" else status, tuple(ids or ())
    )


def _open(ctx: typer.Context) -> Any:
    from monitor.service import open_store

    project = state(ctx).project()
    return project, open_store(project)


@dlq_app.command("list")
def list_(
    ctx: typer.Context,
    pipeline: Pipeline = None,
    run: RunId = None,
    task: Task = None,
    reason: Reason = None,
    status: Annotated[
        str, typer.Option("--status", help="waiting, replayed, purged or all.")
    ] = "waiting",
    ids: Ids = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1)] = 100,
    as_json: Json = False,
) -> None:
    """List dead letters (waiting ones unless --status says otherwise)."""
    from rich.console import Console
    from rich.table import Table

    from monitor.scheduler import deadletters

    _, store = _open(ctx)
    try:
        rows = deadletters.list_letters(
            store.engine, _filter(pipeline, run, task, reason, status, ids), limit
        )
    finally:
        store.close()
    if as_json:
        print_json(rows)
        return
    table = Table("id", "pipeline", "task", "run", "status", "reason", "location", "raw")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["pipeline"],
            r["task"],
            r["run_id"][:13],
            r["status"],
            r["reason"],
            r["location"] or "",
            r["raw"][:60],
        )
    Console().print(table)
    typer.echo(f"{len(rows)} dead letters", err=True)


@dlq_app.command("show")
def show(
    ctx: typer.Context,
    letter_id: Annotated[int, typer.Argument(help="The dead letter's id.")],
    as_json: Json = False,
) -> None:
    """Show one dead letter with its raw record."""
    from monitor.scheduler import deadletters

    _, store = _open(ctx)
    try:
        row = deadletters.show(store.engine, letter_id)
    finally:
        store.close()
    if as_json:
        print_json(row)
        return
    for key, value in row.items():
        typer.echo(f"{key:>14}: {value}")


@dlq_app.command("replay")
def replay(
    ctx: typer.Context,
    pipeline: Pipeline = None,
    run: RunId = None,
    task: Task = None,
    reason: Reason = None,
    ids: Ids = None,
    as_json: Json = False,
) -> None:
    """Rerun the data interval of each run with matching waiting dead letters.

    Fix the cause first (the source, or the config). Records of a successful
    replay become `replayed`; records that fail again wait under the new run.
    """
    from datetime import UTC, datetime

    from monitor.pipeline.runner import Runner
    from monitor.scheduler import deadletters

    project, store = _open(ctx)
    try:
        results = deadletters.replay(
            Runner(project, store),
            _filter(pipeline, run, task, reason, "waiting", ids),
            datetime.now(UTC),
        )
    finally:
        store.close()
    if as_json:
        print_json([r.as_dict() for r in results])
    else:
        if not results:
            typer.echo("no waiting dead letters match", err=True)
        for r in results:
            again = f", {r.rejected_again} rejected again" if r.rejected_again else ""
            error = f": {r.error}" if r.error else ""
            typer.echo(
                f"run {r.original_run}: {r.records} records -> replay run {r.replay_run} "
                f"{r.state}{again}{error}"
            )
    if any(r.state != "success" for r in results):
        raise typer.Exit(ExitCode.FAILED)


@dlq_app.command("purge")
def purge(
    ctx: typer.Context,
    pipeline: Pipeline = None,
    run: RunId = None,
    task: Task = None,
    reason: Reason = None,
    ids: Ids = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    as_json: Json = False,
) -> None:
    """Mark matching waiting dead letters purged (kept for audit, out of the queue)."""
    from datetime import UTC, datetime

    from monitor.errors import UsageError
    from monitor.scheduler import deadletters

    where = _filter(pipeline, run, task, reason, "waiting", ids)
    if not (pipeline or run or task or reason or ids or yes):
        raise UsageError("purge every waiting dead letter? add --yes, or narrow with a filter")
    _, store = _open(ctx)
    try:
        n = deadletters.purge(store.engine, where, datetime.now(UTC))
    finally:
        store.close()
    if as_json:
        print_json({"purged": n})
    else:
        typer.echo(f"purged {n} dead letters")
