"""Small pieces every page uses: the clock, the refresh rhythm, the password gate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

import streamlit as st

from dashboard.data import settings
from dashboard.settings import Settings

AUTH_KEY = "_riverkeeper_signed_in"


def now() -> datetime:
    return datetime.now(UTC)


P = ParamSpec("P")
R = TypeVar("R")


def live(body: Callable[P, R]) -> Callable[P, R]:
    """Run `body` as a fragment that reruns itself every refresh interval."""
    return st.fragment(run_every=settings().refresh_seconds)(body)


def updated_caption(at: datetime) -> None:
    st.caption(f"Updated {at:%H:%M:%S} UTC · refreshes every {settings().refresh_seconds:g}s")


def signed_in(config: Settings) -> bool:
    """True when no password is set or this session has signed in; else show the form."""
    if not config.password or st.session_state.get(AUTH_KEY):
        return True
    st.title("Riverkeeper")
    with st.form("sign_in"):
        given = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        if config.check_password(given):
            st.session_state[AUTH_KEY] = True
            st.rerun()
        st.error("Wrong password.")
    return False


def follow_url(options: list[str], key: str, param: str) -> None:
    """Select the option named in the URL (?param=value) when the URL changed.

    Links from other pages (a click on the overview, "lineage of this dataset")
    carry their choice as a query parameter; the widget keeps the user's own
    choice afterwards, and writes it back to the URL so it can be shared.
    """
    wanted = st.query_params.get(param)
    marker = f"_url_{key}"  # per widget: two pages may read the same parameter
    if wanted in options and st.session_state.get(marker) != wanted:
        st.session_state[key] = wanted
        st.session_state[marker] = wanted
    elif st.session_state.get(key) not in options:
        st.session_state[key] = options[0]


def choose(label: str, options: list[str], key: str, param: str, **kwargs: Any) -> str:
    """A selectbox that follows and updates the URL's `param`."""
    follow_url(options, key, param)
    selected: str = st.selectbox(label, options, key=key, **kwargs)
    st.query_params[param] = selected
    st.session_state[f"_url_{key}"] = selected
    return selected
