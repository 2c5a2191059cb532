"""Overview: every pipeline at a glance, problems first, and the overall health."""

from __future__ import annotations

import streamlit as st

from dashboard import health
from dashboard.data import load
from dashboard.formatting import styled
from dashboard.overview_model import overview
from dashboard.ui import live, now, updated_caption


@live
def body() -> None:
    at = now()
    table = overview(
        load("pipelines"),
        load("latest_runs"),
        load("last_success"),
        load("latest_checks"),
        load("alert_states"),
        at,
    )
    levels = list(table["health"])
    level = health.overall(levels)
    attention = sum(1 for x in levels if x in ("critical", "warning"))
    message = f"Overall health: {level}"
    if not len(table):
        st.info("No pipelines yet: run one with `riverkeeper run PIPELINE`.")
    elif level == "critical":
        st.error(f"{message} — {attention} of {len(table)} pipelines need attention")
    elif level == "warning":
        st.warning(f"{message} — {attention} of {len(table)} pipelines need attention")
    else:
        st.success(f"{message} — all {len(table)} pipelines are healthy")
    cols = st.columns(5)
    cols[0].metric("Pipelines", len(table))
    cols[1].metric("Last run failed", int((table["last run"] == "failed").sum()))
    cols[2].metric("Stale", int((table["freshness"] == "stale").sum()))
    cols[3].metric("Failing checks", int(table["failing checks"].sum()))
    cols[4].metric("Firing alerts", int(table["firing alerts"].sum()))
    painted = styled(table, ["health", "last run", "freshness"])
    st.dataframe(painted, hide_index=True, width="stretch", key="overview_table")
    updated_caption(at)


st.title("Overview")
body()
