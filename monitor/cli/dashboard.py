"""`riverkeeper dashboard`: the Streamlit dashboard on the project's store."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from monitor.cli.common import state

STORE_URL_ENV = "RIVERKEEPER_STORE_URL"
PASSWORD_ENV = "RIVERKEEPER_DASHBOARD_PASSWORD"


def register(app: typer.Typer) -> None:
    app.command("dashboard")(dashboard)


def app_path() -> Path:
    """The Streamlit script, found through the installed `dashboard` package."""
    import importlib.util

    spec = importlib.util.find_spec("dashboard")
    if spec is None or spec.origin is None:
        raise RuntimeError("the dashboard package is not installed")
    return Path(spec.origin).parent / "app.py"


def streamlit_command(script: Path, host: str, port: int) -> list[str]:
    """`streamlit run`: headless, no usage stats, no file watcher, on host:port."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless=true",
        f"--server.address={host}",
        f"--server.port={port}",
        "--server.fileWatcherType=none",
        "--server.runOnSave=false",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=minimal",
        "--theme.base=light",
    ]


def dashboard_env(base: Mapping[str, str], store_url: str, config_dir: Path) -> dict[str, str]:
    """The app's environment: the store URL and config folder; a password passes through."""
    env = dict(base)
    env[STORE_URL_ENV] = store_url
    env["RIVERKEEPER_CONFIG"] = str(config_dir)
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    return env


def dashboard(
    ctx: typer.Context,
    host: Annotated[
        str | None,
        typer.Option("--host", help="Address to listen on (default: server.host, 127.0.0.1)."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port", min=1, max=65535, help="Port (default: server.dashboard_port, 8501)."
        ),
    ] = None,
) -> None:
    """Serve the dashboard (quality, freshness, lineage, runs, alerts, dead letters).

    Set RIVERKEEPER_DASHBOARD_PASSWORD to ask for a password before any page;
    RIVERKEEPER_DASHBOARD_REFRESH sets the refresh interval in seconds (30).
    """
    from monitor.service import open_store

    project = state(ctx).project()
    open_store(project).close()  # migrate and record the configured pipelines first
    server = project.spec.server
    host = host or server.host
    port = port or server.dashboard_port
    typer.echo(f"Riverkeeper dashboard on http://{host}:{port}", err=True)
    if os.environ.get(PASSWORD_ENV):
        typer.echo("password protection is on", err=True)
    command = streamlit_command(app_path(), host, port)
    env = dashboard_env(os.environ, project.store_url, project.config_dir)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, command, env)  # signals reach Streamlit directly
