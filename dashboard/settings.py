"""What the dashboard reads from its environment (set by `riverkeeper dashboard`)."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

STORE_URL = "RIVERKEEPER_STORE_URL"
PASSWORD = "RIVERKEEPER_DASHBOARD_PASSWORD"
REFRESH = "RIVERKEEPER_DASHBOARD_REFRESH"
DEFAULT_REFRESH = 30.0


class SettingsError(ValueError):
    """A missing or malformed environment variable, named in the message."""


@dataclass(frozen=True)
class Settings:
    store_url: str
    password: str | None = None  # never shown, logged or put in a repr
    refresh_seconds: float = DEFAULT_REFRESH

    def __repr__(self) -> str:
        hidden = "set" if self.password else "unset"
        return f"Settings(store_url=..., password={hidden}, refresh={self.refresh_seconds})"

    def check_password(self, given: str) -> bool:
        """Constant-time comparison; True when no password is configured."""
        if not self.password:
            return True
        return hmac.compare_digest(given.encode(), self.password.encode())


def from_env(env: Mapping[str, str]) -> Settings:
    url = env.get(STORE_URL, "").strip()
    if not url:
        raise SettingsError(
            f"{STORE_URL} is not set: start the dashboard with `riverkeeper dashboard`, "
            "which points it at the project's store"
        )
    raw = env.get(REFRESH, "").strip()
    try:
        refresh = float(raw) if raw else DEFAULT_REFRESH
    except ValueError:
        raise SettingsError(f"{REFRESH}={raw!r} is not a number of seconds") from None
    if refresh < 1:
        raise SettingsError(f"{REFRESH}={raw!r} must be at least 1 second")
    return Settings(url, env.get(PASSWORD) or None, refresh)
