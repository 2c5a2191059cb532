"""The overview table from store rows (pure, so it is unit-tested without Streamlit)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import pandas as pd

from dashboard import formatting as fmt
from dashboard import health

COLUMNS = [
    "health",
    "pipeline",
    "problems",
    "last run",
    "last run at",
    "duration",
    "freshness",
    "last success",
    "window",
    "failing checks",
    "warnings",
    "firing alerts",
    "schedule",
]


def alert_pipeline(labels: Any, owners: dict[str, str] | None = None) -> str | None:
    """The pipeline an alert is about: its `pipeline` label, or the one owning its `dataset`."""
    if not isinstance(labels, dict):
        return None
    value = labels.get("pipeline")
    if value:
        return str(value)
    dataset = labels.get("dataset")
    return (owners or {}).get(str(dataset)) if dataset else None


def overview(
    pipelines: pd.DataFrame,
    latest_runs: pd.DataFrame,
    last_success: pd.DataFrame,
    latest_checks: pd.DataFrame,
    alerts: pd.DataFrame,
    now: datetime,
) -> pd.DataFrame:
    """One row per pipeline (configured or seen in runs), problems first."""
    names = sorted(set(pipelines["name"]) | set(latest_runs["pipeline"]))
    schedules = dict(zip(pipelines["name"], pipelines["schedule"], strict=True))
    runs = {r["pipeline"]: r for r in latest_runs.to_dict("records")}
    success = dict(zip(last_success["pipeline"], last_success["last_success_at"], strict=True))
    failing: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    owners = {
        str(r.dataset): str(r.pipeline)
        for r in latest_checks.itertuples()
        if isinstance(getattr(r, "dataset", None), str) and isinstance(r.pipeline, str)
    }
    for row in latest_checks.itertuples():
        if row.outcome in ("fail", "error"):
            failing[row.pipeline] += 1
        elif row.outcome == "warn":
            warnings[row.pipeline] += 1
    firing: dict[str, list[str]] = {}
    pending: Counter[str] = Counter()
    for row in alerts.itertuples():
        pipe = alert_pipeline(row.labels, owners)
        if pipe is None:
            continue
        if row.state == "firing":
            firing.setdefault(pipe, []).append(row.severity)
        elif row.state == "pending":
            pending[pipe] += 1
    rows = []
    for name in names:
        run = runs.get(name) or {}
        schedule = schedules.get(name)
        period = health.schedule_period(schedule, now)
        window = health.staleness_window(period)
        last_ok = _time(success.get(name))
        fresh, age = health.freshness(last_ok, window, now)
        verdict = health.pipeline_health(
            name,
            run.get("state"),
            fresh,
            failing[name],
            warnings[name],
            firing.get(name, []),
            pending[name],
        )
        started, ended = _time(run.get("started_at")), _time(run.get("ended_at"))
        rows.append(
            {
                "rank": health.level_rank(verdict.level),
                "health": verdict.level,
                "pipeline": name,
                "problems": ", ".join(verdict.problems),
                "last run": fmt.state(run.get("state")),
                "last run at": fmt.ago(started, now) if started else "never",
                "duration": fmt.duration((ended or now) - started if started else None),
                "freshness": fresh,
                "last success": fmt.ago(last_ok, now) if age is not None else "never",
                "window": fmt.duration(window) if window else "",
                "failing checks": failing[name],
                "warnings": warnings[name],
                "firing alerts": len(firing.get(name, [])),
                "schedule": schedule_text(schedule, period),
            }
        )
    df = pd.DataFrame(rows, columns=["rank", *COLUMNS])
    df = df.sort_values(["rank", "pipeline"], kind="stable").drop(columns="rank")
    return df.reset_index(drop=True)


def schedule_text(schedule: dict[str, Any] | None, period: Any) -> str:
    if not schedule:
        return "manual"
    if schedule.get("cron"):
        return f"cron {schedule['cron']}"
    return f"every {fmt.duration(period)}"


def _time(value: Any) -> datetime | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        stamp: datetime = value.to_pydatetime()
        return stamp
    if isinstance(value, datetime):
        return value
    return None
