"""Pipeline: run history, a run's task timeline with retries, durations, rows and errors."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard import formatting as fmt
from dashboard.data import load
from dashboard.ui import choose, live, now, updated_caption


def run_label(row: pd.Series) -> str:
    return f"{row['logical_date']:%Y-%m-%d %H:%M} · {row['state']} · {row['run_id'][:8]}"


@live
def body(pipeline: str) -> None:
    at = now()
    runs = load("runs", pipeline)
    if not len(runs):
        st.info(f"No runs of {pipeline} yet.")
        return
    finished = runs.dropna(subset=["started_at", "ended_at"])
    seconds = (finished["ended_at"] - finished["started_at"]).dt.total_seconds()
    done = runs[runs["state"].isin(["success", "failed"])]
    cols = st.columns(5)
    cols[0].metric("Last run", fmt.state(runs["state"].iloc[0]))
    cols[1].metric("Runs shown", len(runs))
    rate = (done["state"] == "success").mean() if len(done) else None
    cols[2].metric("Success rate", f"{rate:.0%}" if rate is not None else "—")
    cols[3].metric("Median duration", fmt.duration(seconds.median() if len(seconds) else None))
    cols[4].metric("Rows rejected", fmt.number(int(runs["rows_rejected"].sum())))
    # one chart at a time: each Vega chart costs the browser a few hundred ms
    views = {
        "Run history": charts.run_history,
        "Durations": charts.durations_trend,
        "Rows in / out / rejected": charts.rows_chart,
    }
    view = st.radio("Chart", list(views), horizontal=True, key="chart")
    st.altair_chart(views[view or "Run history"](runs), width="stretch")
    run_panel(runs)
    errors = load("task_errors", pipeline)
    st.subheader(f"Errors ({len(errors)})")
    if len(errors):
        st.dataframe(errors, hide_index=True, width="stretch", key="errors_table")
    else:
        st.caption("No failed tasks in the recent runs.")
    updated_caption(at)


def run_panel(runs: pd.DataFrame) -> None:
    st.subheader("Run")
    labels = {run_label(r): r["run_id"] for _, r in runs.iterrows()}
    chosen = st.selectbox("Run", list(labels), key="run")
    run_id = labels[chosen] if chosen else runs["run_id"].iloc[0]
    run = runs[runs["run_id"] == run_id].iloc[0]
    tasks = load("task_runs", run_id)
    attempts = load("task_attempts", run_id)
    cols = st.columns(4)
    cols[0].metric("State", fmt.state(run["state"]))
    cols[1].metric("Rows in", fmt.number(run["rows_in"]))
    cols[2].metric("Rows out", fmt.number(run["rows_out"]))
    cols[3].metric("Rows rejected", fmt.number(run["rows_rejected"]))
    if isinstance(run["error"], str) and run["error"]:
        st.error(f"Run error: {run['error']}")
    retries = int((attempts["attempt"] > 1).sum()) if len(attempts) else 0
    st.caption(
        f"Task timeline: {len(tasks)} tasks, {len(attempts)} attempts, {retries} retries "
        f"(bars per attempt; backoff delays in the tooltip)"
    )
    if len(attempts):
        st.altair_chart(charts.gantt(tasks, attempts), width="stretch")
    st.dataframe(fmt.styled(tasks, ["state"]), hide_index=True, width="stretch", key="tasks_table")


st.title("Pipeline")
names = sorted(set(load("pipelines")["name"]) | set(load("latest_runs")["pipeline"]))
if not names:
    st.info("No pipelines yet.")
else:
    selected = choose("Pipeline", names, "pipeline", "pipeline")
    body(selected)
