"""Lineage: the graph around a dataset, coloured by quality and freshness; click through."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import formatting as fmt
from dashboard import health
from dashboard.data import lineage_store, load
from dashboard.lineage_view import neighbours, node_status, to_dot, worst
from dashboard.ui import live, now, updated_caption
from monitor.lineage.graph import build_graph

KEY = "lineage_dataset"


def busiest(store: object, options: list[str]) -> str:
    """The dataset with the most edges: a good first view."""
    degree = dict.fromkeys(options, 0)
    for edge in store.edges:  # type: ignore[attr-defined]
        for end in (edge.source, edge.target):
            if end in degree:
                degree[end] += 1
    return max(options, key=lambda o: (degree[o], o))


def move_to(node_id: str) -> None:
    st.session_state[KEY] = node_id


@live
def body() -> None:
    at = now()
    store = lineage_store()
    if not store.datasets:
        st.info("No lineage recorded yet: runs emit OpenLineage events as they go.")
        return
    labels = {node_id: node.label for node_id, node in store.datasets.items()}
    options = sorted(labels, key=lambda i: labels[i])
    wanted = st.query_params.get("dataset")
    match = [i for i in options if wanted in (labels[i], store.datasets[i].name, i)]
    if match and st.session_state.get(f"_url_{KEY}") != wanted:  # a link from another page
        st.session_state[KEY] = match[0]
        st.session_state[f"_url_{KEY}"] = wanted
    elif st.session_state.get(KEY) not in labels:
        st.session_state[KEY] = busiest(store, options)
    cols = st.columns([3, 2, 1, 1])
    root = cols[0].selectbox("Dataset", options, format_func=labels.__getitem__, key=KEY)
    direction = cols[1].radio(
        "Direction", ["both", "upstream", "downstream"], horizontal=True, key="direction"
    )
    depth = cols[2].number_input("Depth", min_value=1, max_value=20, value=3, key="depth")
    show_columns = cols[3].toggle("Columns", key="columns")
    column = None
    if show_columns:
        fields = [n for n, _ in store.datasets[root].fields or []]
        known = sorted({*fields, *(c.target_column for c in store.columns if c.target == root)})
        column = st.selectbox("Column", ["(all columns)", *known], key="column")
        column = None if column == "(all columns)" else column
    graph = build_graph(store, root, direction=direction, depth=int(depth), column=column)
    quality: dict[str, str] = {}
    for row in load("latest_checks").itertuples():
        quality[row.dataset] = worst(quality.get(row.dataset, "unknown"), row.outcome)
    windows = {
        p.name: health.staleness_window(health.schedule_period(p.schedule, at))
        for p in load("pipelines").itertuples()
    }
    statuses = {i: node_status(n, quality, windows, at) for i, n in graph.datasets.items()}
    st.graphviz_chart(to_dot(graph, statuses, columns=show_columns), width="stretch")
    st.caption(
        "Fill: latest quality (green pass, yellow warn, red fail, grey no checks) · "
        "dashed border: stale (older than its pipeline's staleness window) · bold: selected"
    )
    ups, downs = neighbours(graph, root)
    move = st.columns(2)
    move[0].markdown("**Upstream** — click to move there")
    for node_id in ups:
        move[0].button(labels[node_id], key=f"up:{node_id}", on_click=move_to, args=(node_id,))
    move[1].markdown("**Downstream** — click to move there")
    for node_id in downs:
        move[1].button(labels[node_id], key=f"down:{node_id}", on_click=move_to, args=(node_id,))
    nodes = pd.DataFrame(
        [
            {
                "dataset": n.label,
                "hops": n.distance,
                "quality": fmt.outcome(statuses[i].quality),
                "freshness": statuses[i].fresh,
                "last written": fmt.duration(statuses[i].age) + " ago" if statuses[i].age else "",
                "rows": n.row_count,
                "namespace": n.namespace,
            }
            for i, n in sorted(graph.datasets.items(), key=lambda kv: kv[1].distance)
        ]
    )
    st.dataframe(
        fmt.styled(nodes, ["quality", "freshness"]),
        hide_index=True,
        width="stretch",
        key="lineage_nodes",
    )
    if show_columns and graph.columns:
        st.subheader("Column lineage")
        edges = pd.DataFrame(
            [
                {
                    "from": f"{labels.get(c.source, c.source)}.{c.source_column}",
                    "to": f"{labels.get(c.target, c.target)}.{c.target_column}",
                    "kind": f"{c.type} {c.subtype}".strip(),
                    "job": c.job.split(":", 2)[-1],
                }
                for c in sorted(graph.columns)
            ]
        )
        st.dataframe(edges, hide_index=True, width="stretch", key="column_edges")
    updated_caption(at)


st.title("Lineage")
body()
