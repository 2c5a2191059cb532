"""`riverkeeper dashboard`: the Streamlit command line and the app's environment."""

from __future__ import annotations

import sys
from pathlib import Path

from monitor.cli.dashboard import app_path, dashboard_env, streamlit_command


def test_app_path_points_at_the_streamlit_script() -> None:
    path = app_path()
    assert path.name == "app.py" and path.parent.name == "dashboard" and path.is_file()


def test_streamlit_command_is_headless_without_usage_stats() -> None:
    cmd = streamlit_command(Path("/x/app.py"), "127.0.0.1", 8501)
    assert cmd[:5] == [sys.executable, "-m", "streamlit", "run", "/x/app.py"]
    assert "--server.headless=true" in cmd
    assert "--browser.gatherUsageStats=false" in cmd
    assert "--server.address=127.0.0.1" in cmd and "--server.port=8501" in cmd


def test_env_carries_the_store_url_and_keeps_the_password() -> None:
    base = {"RIVERKEEPER_DASHBOARD_PASSWORD": "pw", "PATH": "/bin"}
    env = dashboard_env(base, "sqlite:///s.db", Path("/cfg"))
    assert env["RIVERKEEPER_STORE_URL"] == "sqlite:///s.db"
    assert env["RIVERKEEPER_CONFIG"] == "/cfg"
    assert env["RIVERKEEPER_DASHBOARD_PASSWORD"] == "pw" and env["PATH"] == "/bin"
    assert "RIVERKEEPER_STORE_URL" not in base
