"""`riverkeeper backfill`: run every data interval of a range, idempotently."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from monitor.cli.common import ExitCode, print_json, state


def register(app: typer.Typer) -> None:
    app.command("backfill")(backfill)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def backfill(
    ctx: typer.Context,
    pipeline: Annotated[str, typer.Argument(help="The pipeline to backfill.")],
    start: Annotated[
        datetime, typer.Option("--start", help="First interval starts at or after this (UTC).")
    ],
    end: Annotated[
        datetime, typer.Option("--end", help="Last interval ends at or before this (UTC).")
    ],
    parallel: Annotated[
        int, typer.Option("--parallel", "-j", min=1, max=64, help="Intervals run at once.")
    ] = 1,
    rerun: Annotated[
        bool, typer.Option("--rerun", help="Run intervals that already succeeded again.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would run.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Run each data interval between --start and --end, oldest first.

    Intervals that already succeeded are skipped (unless --rerun), failed ones
    are resumed from their checkpoints: a second backfill changes nothing.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from monitor.pipeline.runner import Runner
    from monitor.scheduler import backfill as bf
    from monitor.service import open_store

    project = state(ctx).project()
    store = open_store(project)
    console = Console(stderr=True, highlight=False)
    try:
        runner = Runner(project, store)
        steps = bf.plan(runner, pipeline, _aware(start), _aware(end), rerun=rerun)
        todo = sum(s.action != "skip" for s in steps)
        if dry_run:
            outcomes = [bf.Outcome(s, "planned", s.run_id) for s in steps]
        else:
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[last]}"),
                console=console,
                disable=as_json,
            ) as bar:
                task = bar.add_task(f"backfill {pipeline}", total=len(steps), last="")

                def done(outcome: bf.Outcome) -> None:
                    when = f"{outcome.step.interval_start:%Y-%m-%d %H:%M}"
                    bar.update(task, advance=1, last=f"{when} {outcome.state}")

                outcomes = bf.execute(runner, pipeline, steps, parallel=parallel, on_done=done)
    finally:
        store.close()
    if as_json:
        print_json([o.as_dict() for o in outcomes])
    else:
        counts: dict[str, int] = {}
        for o in outcomes:
            counts[o.state] = counts.get(o.state, 0) + 1
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        console.print(f"{pipeline}: {len(steps)} intervals, {todo} to run: {summary}")
        for o in outcomes:
            if o.state in ("failed", "aborted"):
                console.print(f"  [red]{o.step.interval_start.isoformat()}[/] {o.error}")
    if any(o.state in ("failed", "aborted") for o in outcomes):
        raise typer.Exit(ExitCode.FAILED)
