"""Differential test: SQLite, DuckDB, PostgreSQL and the DataFrame path agree.

Random rows with NULLs, duplicate keys, unicode and edge values; every metric of
a suite covering each SQL-side check family must be equal on the four paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from checks import CheckSpec, run_suite, run_suite_on_frame
from checks.frame import frame_engine

NOW = datetime(2024, 6, 1, tzinfo=UTC)
TABLE = sa.Table(
    "t",
    sa.MetaData(),
    sa.Column("k", sa.BigInteger),
    sa.Column("s", sa.Text),
    sa.Column("x", sa.Double),
    sa.Column("ts", sa.DateTime),
)
REF = sa.Table("ref", sa.MetaData(), sa.Column("k", sa.BigInteger))

SUITE = TypeAdapter(list[CheckSpec]).validate_python(
    [
        {"type": "row_count"},
        {"type": "row_count", "name": "rows_pos", "filter": "x > 0"},
        {"type": "missing", "column": "k"},
        {"type": "missing", "column": "s", "empty_string": True, "values": ["é"]},
        {"type": "missing", "column": "x", "name": "x_missing_pct", "fail": "> 10%"},
        {"type": "duplicates", "column": "k"},
        {"type": "duplicates", "column": "s"},
        {"type": "duplicates", "columns": ["k", "s"]},
        {"type": "validity", "column": "s", "accepted_values": ["a", "b", "é", ""]},
        {"type": "validity", "column": "s", "regex": "^[a-z]+$", "name": "s_regex"},
        {"type": "validity", "column": "s", "min_length": 1, "max_length": 2, "name": "s_len"},
        {"type": "validity", "column": "s", "format": "email", "name": "s_email"},
        {"type": "validity", "column": "x", "min": -1, "max": 1},
        {"type": "validity", "column": "k", "accepted_values": [0, 1, 2], "name": "k_set"},
        {"type": "reference", "column": "k", "to": {"dataset": "ref", "column": "k"}},
        {"type": "aggregate", "column": "x", "function": "avg", "fail": "> 1e300"},
        {"type": "aggregate", "column": "x", "function": "min", "fail": "> 1e300"},
        {"type": "aggregate", "column": "x", "function": "max", "fail": "> 1e300"},
        {"type": "aggregate", "column": "x", "function": "sum", "fail": "> 1e300"},
        {"type": "aggregate", "column": "x", "function": "stddev", "fail": "> 1e300"},
        {
            "type": "aggregate",
            "column": "x",
            "function": "percentile",
            "percentile": 0.3,
            "fail": "> 1e300",
        },
        {
            "type": "aggregate",
            "column": "k",
            "function": "sum",
            "fail": "> 1e300",
            "filter": "s IS NOT NULL",
        },
        {"type": "condition", "fails_when": "x > k"},
        {"type": "freshness", "column": "ts", "fail": "> 1000d"},
    ]
)

texts = st.one_of(
    st.none(),
    st.sampled_from(["a", "b", "é", "", "ab", "A", " a", "x@y.io", "日本", "a\nb", "ß", "e\u0301"]),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=4),
)
floats = st.one_of(
    st.none(),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 1e6, -1e6, 1e-9]),
    st.integers(-1000, 1000).map(lambda i: i / 8),
)
stamps = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2024, 5, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
)
rows = st.lists(
    st.tuples(st.one_of(st.none(), st.integers(-2, 3)), texts, floats, stamps),
    min_size=0,
    max_size=30,
)


@pytest.fixture
def engines(tmp_path: Path, pg_url: str) -> Iterator[dict[str, sa.Engine]]:
    out = {
        "sqlite": sa.create_engine(f"sqlite:///{tmp_path / 'd.sqlite'}"),
        "duckdb": sa.create_engine(f"duckdb:///{tmp_path / 'd.duckdb'}"),
        "postgresql": sa.create_engine(pg_url),
    }
    for e in out.values():
        REF.create(e)
        TABLE.create(e)
        with e.begin() as conn:
            conn.execute(REF.insert(), [{"k": 0}, {"k": 1}, {"k": 1}])
    out["frame"] = frame_engine()
    yield out
    for e in out.values():
        e.dispose()


def _load(engine: sa.Engine, data: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(TABLE.delete())
        if data:
            conn.execute(TABLE.insert(), data)


def _frame(data: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "k": pd.array([r["k"] for r in data], dtype="Int64"),
            "s": pd.array([r["s"] for r in data], dtype="object"),
            "x": pd.array([r["x"] for r in data], dtype="Float64"),
            "ts": pd.Series([r["ts"] for r in data], dtype="datetime64[us]"),
        }
    )


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


@pytest.mark.postgres
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=rows)
def test_engines_and_dataframe_agree(
    engines: dict[str, sa.Engine], data: list[tuple[Any, ...]]
) -> None:
    records = [dict(zip(("k", "s", "x", "ts"), r, strict=True)) for r in data]
    got: dict[str, dict[str, tuple[str, float | None]]] = {}
    for name, engine in engines.items():
        if name == "frame":
            continue
        _load(engine, records)
        run = run_suite(engine, "t", SUITE, dataset="w.t", now=NOW, samples_limit=0)
        got[name] = {r.name: (r.outcome, r.value) for r in run.results}
    ref_frame = pd.DataFrame({"k": pd.array([0, 1, 1], dtype="Int64")})
    run = run_suite_on_frame(
        _frame(records),
        SUITE,
        dataset="w.t",
        now=NOW,
        table="t",
        frames={"ref": ref_frame},
        samples_limit=0,
    )
    got["frame"] = {r.name: (r.outcome, r.value) for r in run.results}
    base = got["sqlite"]
    errors = [f"{n}: {r}" for n, r in base.items() if r[0] == "error"]
    assert not errors, errors
    diffs = [
        f"{path} {check}: {res} != sqlite {base[check]}"
        for path, results in got.items()
        for check, res in results.items()
        if res[0] != base[check][0] or not _close(res[1], base[check][1])
    ]
    assert not diffs, "\n".join(diffs)
