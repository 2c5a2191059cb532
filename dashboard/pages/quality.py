"""Data quality: every check of a dataset, its latest outcome, trend and failing rows."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard import formatting as fmt
from dashboard.data import load
from dashboard.thresholds import lines
from dashboard.ui import choose, live, now, updated_caption


@live
def body(dataset: str) -> None:
    at = now()
    checks = load("latest_checks", dataset)
    if not len(checks):
        st.info(f"No check results for {dataset} yet.")
        return
    counts = checks["outcome"].value_counts()
    cols = st.columns(4)
    cols[0].metric("Checks", len(checks))
    cols[1].metric("Passing", int(counts.get("pass", 0)))
    cols[2].metric("Warnings", int(counts.get("warn", 0)))
    cols[3].metric("Failing", int(counts.get("fail", 0) + counts.get("error", 0)))
    rank = checks["outcome"].map({"fail": 0, "error": 1, "warn": 2}).fillna(3)
    table = checks.assign(rank=rank).sort_values(["rank", "check_name"]).reset_index(drop=True)
    shown = pd.DataFrame(
        {
            "outcome": table["outcome"].map(fmt.outcome),
            "check": table["check_name"],
            "type": table["check_type"],
            "column": table["column"],
            "value": table["value"],
            "warn when": table["warn_threshold"],
            "fail when": table["fail_threshold"],
            "expected": [
                band(lo, hi)
                for lo, hi in zip(table["expected_low"], table["expected_high"], strict=True)
            ],
            "severity": table["severity"],
            "executed": [fmt.ago(t.to_pydatetime(), at) for t in table["executed_at"]],
            "message": table["message"],
        }
    )
    st.dataframe(
        fmt.styled(shown, ["outcome"]), hide_index=True, width="stretch", key="checks_table"
    )
    names = list(table["check_name"])
    chosen = st.selectbox("Check", names, key="check")
    if chosen:
        detail(dataset, table[table["check_name"] == chosen].iloc[0])
    updated_caption(at)


def text(value: object) -> str:
    return value if isinstance(value, str) and value else "—"


def band(low: float | None, high: float | None) -> str:
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return ""
    return f"{fmt.number(low)} – {fmt.number(high)}"


def detail(dataset: str, latest: pd.Series) -> None:
    st.subheader(f"{latest['check_name']}: {fmt.outcome(latest['outcome'])}")
    history = load("check_history", dataset, latest["check_name"])
    warn = lines(latest["warn_threshold"])
    fail = lines(latest["fail_threshold"])
    st.altair_chart(charts.check_trend(history, warn, fail), width="stretch")
    st.caption(
        f"{len(history)} newest results · warn when {text(latest['warn_threshold'])} · "
        f"fail when {text(latest['fail_threshold'])} · shaded: the expected band"
    )
    if latest["outcome"] in ("fail", "warn", "error"):
        record = load("check_detail", int(latest["id"]))
        samples = (record or {}).get("samples") or []
        st.markdown(f"**Failing rows** ({len(samples)} sampled)")
        if samples:
            st.dataframe(pd.DataFrame(samples), hide_index=True, key="samples_table")
        else:
            st.caption("No sample stored for this result.")
        if record and record.get("sql"):
            with st.expander("SQL"):
                st.code(record["sql"], language="sql")


def problems_first(datasets: list[str]) -> tuple[list[str], dict[str, str]]:
    """Datasets with failing checks first, then warnings; labels say how many."""
    latest = load("latest_checks")
    bad = latest[latest["outcome"].isin(["fail", "error"])]["dataset"].value_counts()
    warn = latest[latest["outcome"] == "warn"]["dataset"].value_counts()
    order = sorted(datasets, key=lambda d: (-bad.get(d, 0), -warn.get(d, 0), d))
    labels = {}
    for d in order:
        notes = [f"{bad[d]} failing"] if d in bad else []
        notes += [f"{warn[d]} warning"] if d in warn else []
        labels[d] = f"{d} ({', '.join(notes)})" if notes else d
    return order, labels


st.title("Data quality")
datasets, dataset_labels = problems_first(sorted(load("latest_checks")["dataset"].unique()))
if not datasets:
    st.info("No check results yet: checks run with the pipelines or `riverkeeper check`.")
else:
    selected = choose("Dataset", datasets, "dataset", "dataset", format_func=dataset_labels.get)
    st.page_link(
        "pages/lineage.py",
        label=f"Lineage of {selected}",
        icon=":material/hub:",
        query_params={"dataset": selected},
    )
    body(selected)
