"""`riverkeeper check DATASET`: run a dataset's checks now and store the results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from monitor.cli.common import ExitCode, print_json, state

if TYPE_CHECKING:
    from checks import CheckResult

OUTCOME_STYLE = {
    "pass": "green",
    "warn": "yellow",
    "fail": "red",
    "error": "red",
    "learning": "cyan",
}


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(
    ctx: typer.Context,
    datasets: Annotated[
        list[str] | None,
        typer.Argument(help="Datasets, as <connection>.<table> (one file of checks each)."),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Every dataset with a checks file, in name order.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every result (with SQL and samples) as JSON.")
    ] = False,
    sql: Annotated[
        bool,
        typer.Option("--sql", help="Only print the SQL the checks would run (reads the catalog)."),
    ] = False,
) -> None:
    """Run the checks of DATASETS from config/checks/*.yaml; exit 1 if an error-severity
    check fails (or cannot run), 0 otherwise (warnings included)."""
    from monitor.errors import UsageError
    from monitor.pipeline.runner import utc_now
    from monitor.quality import check_dataset, dataset_checks, explain_dataset
    from monitor.quality import register as register_checks
    from monitor.service import open_store

    register_checks()
    project = state(ctx).project()
    names = sorted(dataset_checks(project)) if all_ else list(datasets or [])
    if not names:
        raise UsageError("name a dataset, or use --all")
    if sql:
        for name in names:
            for statement in explain_dataset(project, name, utc_now()):
                typer.echo(statement.rstrip() + ";\n")
        return
    store = open_store(project)
    results: list[CheckResult] = []
    try:
        for name in names:
            found = check_dataset(project, name, store, utc_now())
            results += found
            if not as_json:
                if len(names) > 1:
                    typer.echo(f"\n{name}")
                _print(found)
        _deliver_lineage(store.engine, project.spec)
    finally:
        store.close()
    if as_json:
        print_json([r.as_record() for r in results])
    if any(r.outcome in ("fail", "error") and r.severity == "error" for r in results):
        raise typer.Exit(ExitCode.FAILED)


def _deliver_lineage(engine: Any, spec: Any) -> None:
    """Drain the outbox briefly, as `run` does; what stays is delivered by `serve`."""
    import logging

    from monitor.lineage.wiring import open_lineage

    drained = open_lineage(engine, spec).close(drain_timeout=10.0)
    if not drained.complete:
        logging.getLogger(__name__).warning("%s", drained.message())


def _print(results: list[CheckResult]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    table = Table("outcome", "check", "value", "message", show_lines=False)
    for r in results:
        style = OUTCOME_STYLE.get(r.outcome, "")
        value = "" if r.value is None else f"{r.value:g}"
        table.add_row(f"[{style}]{r.outcome}[/]", escape(r.name), value, escape(r.message))
    console.print(table)
    for r in results:
        if r.samples and r.outcome in ("fail", "warn") and r.type != "schema":
            console.print(f"[bold]{escape(r.name)}[/]: {len(r.samples)} sample row(s)")
            for row in r.samples:
                console.print("  " + escape(", ".join(f"{k}={v}" for k, v in row.items())))
    counts: dict[str, int] = {}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    console.print(", ".join(f"{n} {o}" for o, n in sorted(counts.items())))
