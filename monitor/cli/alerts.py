"""`riverkeeper alerts`: render the rules for Prometheus, show the built-in evaluator's alerts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from monitor.cli.common import print_json, state

alerts_app = typer.Typer(
    help="Alert rules from alerts.yaml: render them for Prometheus, list alert states.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")


@alerts_app.command("render")
def render(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write riverkeeper.rules.yml and alertmanager.yml into this folder "
            "(default: print the rules).",
        ),
    ] = None,
    reveal_secrets: Annotated[
        bool,
        typer.Option(
            "--reveal-secrets",
            help="Put the channels' real URLs and passwords into alertmanager.yml.",
        ),
    ] = False,
) -> None:
    """Render the alert rules as a Prometheus rule file (and an Alertmanager config)."""
    from alerts import render as render_files
    from alerts import render_rules
    from monitor.config.yamlfile import env_snapshot
    from monitor.metrics import read_alerts_config

    config = read_alerts_config(Path(state(ctx).config_dir), env_snapshot())
    if out is None:
        typer.echo(render_rules(config), nl=False)
        return
    rules, alertmanager = render_files(config, out, reveal_secrets)
    typer.echo(f"wrote {len(config.rules)} rules to {rules} and routes to {alertmanager}")


@alerts_app.command("status")
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the alerts as JSON.")] = False,
) -> None:
    """List the built-in evaluator's pending, firing and resolved alerts."""
    from monitor.metrics.alert_store import alert_rows
    from monitor.service import open_store

    store = open_store(state(ctx).project())
    try:
        rows = alert_rows(store.engine)
    finally:
        store.close()
    if as_json:
        print_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("state", "alert", "severity", "labels", "value", "since")
    for r in rows:
        labels = ", ".join(
            f"{k}={v}" for k, v in sorted(r["labels"].items()) if k not in ("alertname", "severity")
        )
        since = r["resolved_at"] or r["fired_at"] or r["active_at"]
        value = "" if r["value"] is None else f"{r['value']:g}"
        table.add_row(r["state"], r["rule"], r["severity"], labels, value, str(since)[:19])
    Console().print(table)
