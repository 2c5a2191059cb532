"""`riverkeeper demo`: generate the example project's source data and start its API."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from monitor.cli.common import print_json, state

if TYPE_CHECKING:
    from monitor.demo.setup import DemoPaths


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    now: Annotated[
        datetime | None,
        typer.Option("--now", help="Generate data up to this time (default: now, UTC)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same data).")] = 42,
    days: Annotated[int, typer.Option("--days", min=1, max=60, help="Days of history.")] = 3,
    serve_api: Annotated[
        bool, typer.Option("--serve-api", help="Serve the customers API in the foreground.")
    ] = False,
    no_api: Annotated[
        bool, typer.Option("--no-api", help="Only write the data; do not start the API.")
    ] = False,
    stop: Annotated[bool, typer.Option("--stop-api", help="Stop the background API.")] = False,
    live: Annotated[
        float,
        typer.Option(
            "--live",
            help="Seconds between live data ticks in the background API process "
            "(new orders and clickstream hours as time passes); 0: off.",
        ),
    ] = 0.0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print what was written as JSON.")
    ] = False,
) -> None:
    """Write the demo sources (orders DB, products CSV, clickstream Parquet, customers API)."""
    from datetime import UTC

    from monitor.demo import demo_paths, setup_demo, stop_api

    project = state(ctx).project()
    paths = demo_paths(project)
    if stop:
        stopped = stop_api(paths)
        typer.echo("demo API stopped" if stopped else "no demo API was running")
        return
    at = now or datetime.now(UTC)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    result = setup_demo(
        project, at, seed=seed, days=days, start=not (no_api or serve_api), live_every=live
    )
    if as_json:
        print_json(result.__dict__)
    else:
        typer.echo(
            f"demo data {result.start:%Y-%m-%d %H:%M} .. {result.end:%Y-%m-%d %H:%M} UTC: "
            f"{result.orders} orders -> {result.production}; {result.customers} customers, "
            f"{result.events} clickstream events in {result.partitions} hourly partitions "
            f"-> {result.files}"
        )
        if not (no_api or serve_api):
            verb = "started" if result.api_started else "already running"
            feed = f", new data every {live:g}s" if live and result.api_started else ""
            typer.echo(
                f"customers API {verb} at {result.api}{feed} (stop: riverkeeper demo --stop-api)"
            )
    if serve_api:
        _serve(paths)


def _serve(paths: DemoPaths) -> None:
    from urllib.parse import urlsplit

    from monitor.demo.api import main as serve

    port = urlsplit(paths.api.base_url).port or 8765
    typer.echo(f"serving the customers API on 127.0.0.1:{port} (Ctrl-C stops)")
    args = ["--data", str(paths.customers), "--port", str(port)]
    if paths.token:
        args += ["--token", paths.token]
    serve(args)
