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
    checks = load("latest_checks")
    table = overview(
        load("pipelines"),
        load("latest_runs"),
        load("last_success"),
        checks,
        load("alert_states"),
        at,
    )
    alerts = load("alert_states")
    firing = alerts[alerts["state"] == "firing"]
    levels = list(table["health"])
    attention = sum(1 for x in levels if x in ("critical", "warning"))
    if len(firing):  # alerts about datasets no pipeline owns count too
        critical = firing["severity"].isin(["critical", "error", "page"]).any()
        levels.append("critical" if critical else "warning")
    level = health.overall(levels)
    message = f"Overall health: {level}"
    if len(firing):
        message += f" ({len(firing)} alert{'s' if len(firing) != 1 else ''} firing)"
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
    # every dataset's checks, also those run outside a pipeline (`riverkeeper check`)
    cols[3].metric("Failing checks", int(checks["outcome"].isin(["fail", "error"]).sum()))
    cols[4].metric("Firing alerts", len(firing))
    painted = styled(table, ["health", "last run", "freshness"])
    picked = st.dataframe(
        painted,
        hide_index=True,
        width="stretch",
        key="overview_table",
        on_select="rerun",
        selection_mode="single-row",
    )
    rows = picked.selection.rows if picked else []
    if rows:  # a click on a pipeline opens its page
        st.switch_page("pages/pipeline.py", query_params={"pipeline": table["pipeline"][rows[0]]})
    st.caption("Select a row to open the pipeline.")
    failing = checks[checks["outcome"].isin(["fail", "error", "warn"])]
    if len(failing):
        rank = failing["outcome"].map({"fail": 0, "error": 1, "warn": 2})
        failing = failing.assign(rank=rank).sort_values(["rank", "dataset", "check_name"])
        st.subheader(f"Checks not passing ({len(failing)})")
        shown = failing[["outcome", "dataset", "check_name", "value", "message", "pipeline"]]
        st.dataframe(
            styled(shown.head(50).reset_index(drop=True), ["outcome"]),
            hide_index=True,
            width="stretch",
            key="failing_checks",
        )
    updated_caption(at)


st.title("Overview")
body()
