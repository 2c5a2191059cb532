"""The `riverkeeper` command. Thin: parse, call one function, map to an exit code.

Each command lives in its own module with a `register(app)` function.
Heavy libraries are imported inside commands so `--help` stays fast.
"""

from __future__ import annotations

import logging
import sys
from importlib import import_module
from typing import Annotated

import typer

from monitor.cli.common import ExitCode, State, fail

app = typer.Typer(
    name="riverkeeper",
    help="Data quality and lineage monitoring: run pipelines, check data, trace lineage.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES = [
    "run",
    "runs",
    "validate",
    "schema",
    "serve",
    "backfill",
    "dlq",
    "demo",
    "lineage",
    "dashboard",
    "alerts",
    "check",
]


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        str,
        typer.Option("--config", "-c", envvar="RIVERKEEPER_CONFIG", help="The config folder."),
    ] = "config",
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
) -> None:
    ctx.obj = State(config_dir=config, debug=debug)
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not debug:
        # Without an OpenLineage config the client says so on every command; events
        # are kept in the store's outbox either way (`riverkeeper lineage` reads them).
        logging.getLogger("openlineage.client.client").setLevel(logging.ERROR)


for _name in COMMAND_MODULES:
    import_module(f"monitor.cli.{_name}").register(app)


def main() -> None:
    """Entry point of the console script: domain errors become one line and an exit code."""
    debug = "--debug" in sys.argv
    try:
        # Without standalone mode click returns the code of a `typer.Exit` instead of exiting.
        code = app(standalone_mode=False)
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - the one place that turns errors into exit codes
        raise SystemExit(fail(exc, debug=debug)) from None
    raise SystemExit(code if isinstance(code, int) else ExitCode.OK)
