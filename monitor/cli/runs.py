"""`riverkeeper runs`: recent runs from the store."""

from __future__ import annotations

from typing import Annotated

import typer

from monitor.cli.common import print_json, state


def register(app: typer.Typer) -> None:
    app.command("runs")(runs)


def runs(
    ctx: typer.Context,
    pipeline: Annotated[
        str | None, typer.Option("--pipeline", "-p", help="Only this pipeline.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="How many runs, newest first.")
    ] = 20,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print runs and their tasks as JSON.")
    ] = False,
) -> None:
    """List recent runs with their state, timings and row counts."""
    from rich.console import Console
    from rich.table import Table

    from monitor.service import open_store

    store = open_store(state(ctx).project())
    try:
        views = store.list_runs(pipeline, limit)
    finally:
        store.close()
    if as_json:
        print_json([v.as_dict() for v in views])
        return
    table = Table(
        "run id",
        "pipeline",
        "state",
        "trigger",
        "interval start",
        "duration",
        "rows in",
        "rows out",
        "rejected",
    )
    for view in views:
        d = view.as_dict()
        table.add_row(
            d["run_id"],
            d["pipeline"],
            d["state"],
            d["trigger"],
            (d["interval_start"] or "")[:16],
            f"{d['duration_seconds']}s" if d["duration_seconds"] is not None else "",
            str(d["rows_in"]),
            str(d["rows_out"]),
            str(d["rows_rejected"]),
        )
    Console().print(table)
