"""The Streamlit entry point: `riverkeeper dashboard` runs `streamlit run dashboard/app.py`."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from dashboard.settings import SettingsError, from_env
from dashboard.ui import signed_in

PAGES = Path(__file__).parent / "pages"

st.set_page_config(page_title="Riverkeeper", page_icon=":material/water:", layout="wide")
try:
    config = from_env(os.environ)
except SettingsError as exc:
    st.error(str(exc))
    st.stop()
if not signed_in(config):
    st.stop()
nav = st.navigation(
    [
        st.Page(PAGES / "overview.py", title="Overview", icon=":material/home:", default=True),
        st.Page(PAGES / "pipeline.py", title="Pipeline", icon=":material/account_tree:"),
        st.Page(PAGES / "quality.py", title="Data quality", icon=":material/fact_check:"),
        st.Page(PAGES / "lineage.py", title="Lineage", icon=":material/hub:"),
        st.Page(PAGES / "alerts.py", title="Alerts", icon=":material/notifications_active:"),
        st.Page(PAGES / "dead_letters.py", title="Dead letters", icon=":material/mail:"),
    ]
)
nav.run()
