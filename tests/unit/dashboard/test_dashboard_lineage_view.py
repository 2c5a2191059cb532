"""The lineage graph as DOT: colours by quality, dashed when stale, neighbours to move to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace as NS

from dashboard.lineage_view import NodeStatus, neighbours, node_status, to_dot, worst

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str


def dataset(name: str, quality: str = "unknown", at: datetime | None = None, job: str = "") -> NS:
    run = NS(at=at.isoformat(), job=job) if at else None
    return NS(
        namespace="ns",
        name=name,
        label=f"wh.{name}",
        aliases=[f"wh.{name}"],
        quality=quality,
        latest_run=run,
        fields=[("id", "INTEGER"), ("amount", "REAL")],
    )


def graph() -> NS:
    ids = {n: f"dataset:ns:{n}" for n in ("raw", "orders", "summary")}
    return NS(
        root=ids["orders"],
        datasets={
            ids["raw"]: dataset("raw"),
            ids["orders"]: dataset("orders", "pass", NOW, "job:ns:orders_etl.load"),
            ids["summary"]: dataset("summary", "warn"),
        },
        jobs={
            "job:ns:orders_etl.load": NS(name="orders_etl.load", latest_run=NS(state="COMPLETE")),
            "job:ns:daily.agg": NS(name="daily.agg", latest_run=NS(state="FAIL")),
        },
        edges={
            Edge(source=ids["raw"], target="job:ns:orders_etl.load"),
            Edge(source="job:ns:orders_etl.load", target=ids["orders"]),
            Edge(source=ids["orders"], target="job:ns:daily.agg"),
            Edge(source="job:ns:daily.agg", target=ids["summary"]),
        },
    )


def test_worst_outcome() -> None:
    assert worst("pass", "warn") == "warn"
    assert worst("unknown", "pass") == "pass"
    assert worst("warn", "fail", "error") == "fail"
    assert worst() == "unknown"


def test_node_status_merges_store_checks_and_freshness() -> None:
    node = dataset("orders", "pass", NOW - timedelta(hours=3), "job:ns:orders_etl.load")
    windows = {"orders_etl": timedelta(hours=2)}
    status = node_status(node, {"wh.orders": "fail"}, windows, NOW)
    assert status == NodeStatus("fail", "stale", timedelta(hours=3))
    fresh = node_status(node, {}, {"orders_etl": timedelta(hours=4)}, NOW)
    assert (fresh.quality, fresh.fresh) == ("pass", "fresh")
    assert node_status(node, {}, {}, NOW).fresh == "unknown"  # no schedule known
    assert node_status(dataset("raw"), {}, windows, NOW) == NodeStatus("unknown", "unknown", None)


def test_dot_colours_and_shapes() -> None:
    g = graph()
    statuses = {
        "dataset:ns:orders": NodeStatus("fail", "stale", timedelta(hours=3)),
        "dataset:ns:summary": NodeStatus("warn", "fresh", timedelta(minutes=5)),
    }
    dot = to_dot(g, statuses)
    assert dot.startswith("digraph lineage {")
    orders = next(line for line in dot.splitlines() if line.startswith('  "dataset:ns:orders"'))
    assert 'label="wh.orders\\nfail · stale · 3h 00m old"' in orders
    assert 'fillcolor="#ffcdd2"' in orders and "dashed" in orders and 'penwidth="3"' in orders
    summary = next(line for line in dot.splitlines() if '"dataset:ns:summary" [' in line)
    assert 'fillcolor="#fff59d"' in summary and "dashed" not in summary
    assert '"job:ns:daily.agg" [label="daily.agg\\nfail"' in dot
    assert '"dataset:ns:raw" -> "job:ns:orders_etl.load";' in dot
    assert "amount" not in dot
    assert "id, amount" in to_dot(g, statuses, columns=True)


def test_neighbours_are_one_job_away() -> None:
    ups, downs = neighbours(graph(), "dataset:ns:orders")
    assert (ups, downs) == (["dataset:ns:raw"], ["dataset:ns:summary"])
    assert neighbours(graph(), "dataset:ns:raw") == ([], ["dataset:ns:orders"])
