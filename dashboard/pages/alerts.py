"""Alerts: what is firing or pending now, and the history of transitions and notifications."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dashboard import formatting as fmt
from dashboard.data import load
from dashboard.ui import live, now, updated_caption


def labels_text(labels: object) -> str:
    if isinstance(labels, dict):
        return ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != "alertname")
    return json.dumps(labels) if labels else ""


@live
def body() -> None:
    at = now()
    current = load("alert_states")
    firing = current[current["state"] == "firing"]
    pending = current[current["state"] == "pending"]
    cols = st.columns(3)
    cols[0].metric("Firing", len(firing))
    cols[1].metric("Pending", len(pending))
    history = load("alert_history")
    cols[2].metric("Events (newest 500)", len(history))
    st.subheader("Firing now")
    if len(firing):
        st.dataframe(states_table(firing, at), hide_index=True, width="stretch", key="firing")
    else:
        st.success("Nothing is firing.")
    if len(pending):
        st.subheader("Pending")
        st.dataframe(states_table(pending, at), hide_index=True, width="stretch", key="pending")
    st.subheader("History")
    rules = sorted(history["rule"].unique()) if len(history) else []
    rule = st.selectbox("Rule", ["All rules", *rules], key="alert_rule")
    if rule != "All rules":
        history = history[history["rule"] == rule]
    shown = pd.DataFrame(
        {
            "at": history["at"],
            "rule": history["rule"],
            "event": history["event"],
            "severity": history["severity"],
            "labels": history["labels"].map(labels_text),
            "value": history["value"],
            "channel": history["channel"],
            "message": history["message"],
        }
    )
    st.dataframe(
        fmt.styled(shown, ["event"]), hide_index=True, width="stretch", key="alert_history"
    )
    updated_caption(at)


def states_table(df: pd.DataFrame, at: object) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rule": df["rule"],
            "severity": df["severity"],
            "labels": df["labels"].map(labels_text),
            "summary": df["annotations"].map(
                lambda a: a.get("summary", "") if isinstance(a, dict) else ""
            ),
            "value": df["value"],
            "active since": [fmt.ago(t.to_pydatetime(), at) for t in df["active_at"]],  # type: ignore[arg-type]
        }
    )


st.title("Alerts")
body()
