"""Exit codes, the CLI's shared state, and turning errors into one line."""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import typer

if TYPE_CHECKING:
    from monitor.config.loader import Project


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # the data or a run failed
    USAGE = 2  # a usage or config error


@dataclass
class State:
    config_dir: str
    debug: bool = False

    def project(self) -> Project:
        from monitor.service import open_project

        return open_project(Path(self.config_dir))


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def fail(exc: BaseException, *, debug: bool) -> int:
    """Print an error for people and return its exit code."""
    from monitor.errors import ConfigError, RiverkeeperError

    if isinstance(exc, click.exceptions.Exit):
        return int(exc.exit_code)
    if isinstance(exc, click.ClickException):
        exc.show()
        return int(exc.exit_code)
    if isinstance(exc, click.exceptions.Abort | KeyboardInterrupt):
        typer.echo("aborted", err=True)
        return 130
    if debug:
        traceback.print_exception(exc)
    if isinstance(exc, ConfigError):
        for issue in exc.issues:
            typer.echo(issue, err=True)
        count = len(exc.issues)
        typer.echo(f"{count} config error{'s' if count != 1 else ''}", err=True)
        return ExitCode.USAGE
    if isinstance(exc, RiverkeeperError):
        typer.echo(f"error: {exc}", err=True)
        return int(exc.exit_code)
    if not debug:
        typer.echo(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
            err=True,
        )
    return ExitCode.FAILED


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))
