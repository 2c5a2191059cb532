"""`riverkeeper lineage`: where a dataset comes from and what depends on it."""

from __future__ import annotations

from typing import Annotated

import typer

from monitor.cli.common import ExitCode, print_json, state


def register(app: typer.Typer) -> None:
    app.command("lineage")(lineage)


def lineage(
    ctx: typer.Context,
    dataset: Annotated[
        str | None,
        typer.Argument(
            help="A dataset: connection.table (as in the config), a table name, or "
            "namespace/name. Without it: the delivery status of lineage events."
        ),
    ] = None,
    upstream: Annotated[bool, typer.Option("--upstream", help="Only where it comes from.")] = False,
    downstream: Annotated[
        bool, typer.Option("--downstream", help="Only what is built from it.")
    ] = False,
    depth: Annotated[
        int, typer.Option("--depth", "-d", min=0, help="How many dataset hops to follow.")
    ] = 10,
    column: Annotated[
        str | None, typer.Option("--column", help="Follow this column (column-level lineage).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the graph as JSON.")] = False,
    deliver: Annotated[
        bool,
        typer.Option(
            "--deliver",
            help="Send the waiting events now, through the OpenLineage transport of "
            "openlineage.yml / OPENLINEAGE__* / OPENLINEAGE_URL.",
        ),
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0, help="--deliver: seconds to wait at most.")
    ] = 10.0,
) -> None:
    """Show the lineage of a dataset (tables and columns, with run and quality status)."""
    from monitor.errors import UsageError
    from monitor.lineage.outbox import backlog
    from monitor.service import open_store

    if upstream and downstream:
        raise UsageError("use --upstream or --downstream, not both (neither shows both)")
    if dataset is None and (upstream or downstream or column):
        raise UsageError("--upstream, --downstream and --column need a DATASET")
    store = open_store(state(ctx).project())
    try:
        if dataset is None:
            raise typer.Exit(_status(store.engine, deliver, timeout, as_json))
        from monitor.lineage.graph import lineage_graph
        from monitor.lineage.render import render

        direction = "upstream" if upstream else "downstream" if downstream else "both"
        graph = lineage_graph(
            store.engine, dataset, direction=direction, depth=depth, column=column
        )
        waiting = backlog(store.engine)
    finally:
        store.close()
    if as_json:
        print_json(graph.to_dict())
        return
    for line in render(graph):
        typer.echo(line)
    typer.echo(waiting.line())


def _status(engine: object, deliver: bool, timeout: float, as_json: bool) -> int:
    import sqlalchemy as sa

    from monitor.lineage.outbox import backlog
    from monitor.lineage.sender import OutboxSender
    from monitor.lineage.transport import describe_transport, transport_from_config

    assert isinstance(engine, sa.Engine)
    code = ExitCode.OK
    delivered = None
    if deliver:
        transport = transport_from_config()
        result = OutboxSender(engine, transport).drain(timeout)
        delivered = result.delivered
        if not as_json:
            typer.echo(f"transport: {describe_transport(transport)}")
            typer.echo(result.message())
        code = ExitCode.OK if result.complete else ExitCode.FAILED
    waiting = backlog(engine)
    if as_json:
        print_json(
            {
                "pending": waiting.pending,
                "rejected": waiting.rejected,
                "oldest": waiting.oldest.isoformat() if waiting.oldest else None,
                "last_error": waiting.last_error,
                "delivered_now": delivered,
            }
        )
    else:
        typer.echo(waiting.line())
    return int(code)
