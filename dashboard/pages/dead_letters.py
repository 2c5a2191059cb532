"""Dead letters: records that failed parsing or a row rule, filtered by pipeline and reason."""

from __future__ import annotations

import streamlit as st

from dashboard.data import load
from dashboard.formatting import styled
from dashboard.ui import live, now, updated_caption

ALL = "All"


@live
def body() -> None:
    at = now()
    pipelines = load("dead_letter_pipelines")
    cols = st.columns(3)
    pipeline = cols[0].selectbox("Pipeline", [ALL, *pipelines], key="dlq_pipeline")
    chosen = None if pipeline == ALL else pipeline
    reasons = load("dead_letter_reasons", chosen)
    labels = {f"{r.reason} ({r.records})": r.reason for r in reasons.itertuples()}
    reason_label = cols[1].selectbox("Reason", [ALL, *labels], key="dlq_reason")
    status = cols[2].selectbox("Status", ["waiting", ALL, "replayed", "purged"], key="dlq_status")
    reason = labels.get(reason_label)
    rows = load("dead_letters", chosen, reason, None if status == ALL else status)
    total = int(reasons["records"].sum()) if len(reasons) else 0
    waiting = int(reasons["waiting"].sum()) if len(reasons) else 0
    st.caption(
        f"{len(rows)} shown (newest first, up to 500) · {total} dead letters"
        f"{' in ' + pipeline if chosen else ''}, {waiting} waiting for replay"
    )
    if len(reasons):
        st.bar_chart(reasons.set_index("reason")["records"], horizontal=True, height=180)
    st.dataframe(
        styled(rows, ["status"]), hide_index=True, width="stretch", key="dead_letters_table"
    )
    if len(rows):
        ids = list(rows["id"])
        record = st.selectbox("Record", ids, key="dlq_record")
        row = rows[rows["id"] == record].iloc[0]
        st.markdown(f"**{row['reason']}** · {row['location'] or ''} · run `{row['run_id']}`")
        st.code(row["raw"], language="json" if row["raw"].lstrip().startswith("{") else None)
    updated_caption(at)


st.title("Dead letters")
body()
