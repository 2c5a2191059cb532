"""Altair charts for the pages: run history, durations, task Gantt, check trend."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from dashboard.formatting import OUTCOME_COLOR, STATE_COLOR


def _scale(colors: dict[str, str], values: Any) -> alt.Scale:
    domain = sorted({str(v) for v in values})
    return alt.Scale(domain=domain, range=[colors.get(v, "#9e9e9e") for v in domain])


def run_history(runs: pd.DataFrame) -> alt.Chart:
    """One bar per run over time: height = duration, colour = state."""
    df = runs.assign(
        duration_s=(runs["ended_at"] - runs["started_at"]).dt.total_seconds(),
    )
    chart: alt.Chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("logical_date:T", title="logical date"),
            y=alt.Y("duration_s:Q", title="duration (s)"),
            color=alt.Color("state:N", scale=_scale(STATE_COLOR, df["state"]), title="state"),
            tooltip=["run_id", "state", "logical_date:T", "duration_s:Q", "rows_in", "rows_out"],
        )
        .properties(height=220)
    )
    return chart


def durations_trend(runs: pd.DataFrame) -> alt.Chart:
    """Duration of finished runs over time with a rolling median."""
    df = runs.dropna(subset=["started_at", "ended_at"]).sort_values("logical_date")
    df = df.assign(duration_s=(df["ended_at"] - df["started_at"]).dt.total_seconds())
    df = df.assign(median=df["duration_s"].rolling(20, min_periods=1).median())
    base = alt.Chart(df).encode(x=alt.X("logical_date:T", title="logical date"))
    points = base.mark_circle(size=18, opacity=0.5).encode(
        y=alt.Y("duration_s:Q", title="duration (s)"),
        color=alt.Color("state:N", scale=_scale(STATE_COLOR, df["state"]), legend=None),
    )
    chart: alt.Chart = (points + base.mark_line(color="#37474f").encode(y="median:Q")).properties(
        height=200
    )
    return chart
    return chart


def rows_chart(runs: pd.DataFrame) -> alt.Chart:
    """Rows in / out / rejected per run."""
    df = runs.melt(
        id_vars=["logical_date"],
        value_vars=["rows_in", "rows_out", "rows_rejected"],
        var_name="rows",
        value_name="count",
    )
    chart: alt.Chart = (
        alt.Chart(df)
        .mark_line(point=False)
        .encode(
            x=alt.X("logical_date:T", title="logical date"),
            y=alt.Y("count:Q", title="rows"),
            color=alt.Color(
                "rows:N",
                scale=alt.Scale(
                    domain=["rows_in", "rows_out", "rows_rejected"],
                    range=["#1565c0", "#2e7d32", "#c62828"],
                ),
            ),
        )
        .properties(height=200)
    )
    return chart


def gantt(tasks: pd.DataFrame, attempts: pd.DataFrame) -> alt.Chart:
    """Each attempt of each task as a bar on a time axis; retries show as extra bars."""
    df = attempts.copy()
    df["label"] = df["task"] + " #" + df["attempt"].astype(str)
    df["ended_at"] = df["ended_at"].fillna(pd.Timestamp.now(tz="UTC"))
    df["seconds"] = (df["ended_at"] - df["started_at"]).dt.total_seconds()
    order = list(dict.fromkeys(tasks["task"])) if len(tasks) else None
    chart: alt.Chart = (
        alt.Chart(df)
        .mark_bar(cornerRadius=2)
        .encode(
            x=alt.X("started_at:T", title="time"),
            x2="ended_at:T",
            y=alt.Y("task:N", sort=order, title=None),
            yOffset=alt.YOffset("attempt:O"),
            color=alt.Color("state:N", scale=_scale(STATE_COLOR, df["state"]), title="state"),
            tooltip=[
                "task",
                "attempt",
                "state",
                "started_at:T",
                "ended_at:T",
                alt.Tooltip("seconds:Q", format=".1f"),
                alt.Tooltip("delay_seconds:Q", title="backoff (s)", format=".1f"),
                "error",
            ],
        )
        .properties(height=max(120, 40 * max(1, len(order or []))))
    )
    return chart


def check_trend(
    history: pd.DataFrame, warn: list[float], fail: list[float]
) -> alt.LayerChart | alt.FacetChart:
    """Measured value over time, the anomaly band and the warn/fail threshold lines."""
    df = history.copy()
    base = alt.Chart(df).encode(x=alt.X("executed_at:T", title="executed at"))
    layers: list[Any] = []
    band = df.dropna(subset=["expected_low", "expected_high"])
    if len(band):
        layers.append(
            alt.Chart(band)
            .mark_area(opacity=0.2, color="#64b5f6")
            .encode(x="executed_at:T", y="expected_low:Q", y2="expected_high:Q")
        )
    layers.append(base.mark_line(color="#37474f").encode(y=alt.Y("value:Q", title="value")))
    layers.append(
        base.mark_circle(size=40).encode(
            y="value:Q",
            color=alt.Color(
                "outcome:N", scale=_scale(OUTCOME_COLOR, df["outcome"]), title="outcome"
            ),
            tooltip=["executed_at:T", "value:Q", "outcome", "expected_low", "expected_high"],
        )
    )
    for values, name, color in ((warn, "warn", "#f9a825"), (fail, "fail", "#c62828")):
        if values:
            rule = pd.DataFrame({"y": values, "line": [f"{name} threshold"] * len(values)})
            layers.append(
                alt.Chart(rule)
                .mark_rule(color=color, strokeDash=[6, 4])
                .encode(y="y:Q", tooltip=["line", "y"])
            )
    layered: alt.LayerChart | alt.FacetChart = alt.layer(*layers).properties(height=260)
    return layered
