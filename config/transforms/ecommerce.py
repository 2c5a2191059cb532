"""Python transforms of the example project (parameters name upstream tasks)."""

from __future__ import annotations

import pandas as pd


def hourly_metrics(extract_orders: pd.DataFrame, extract_events: pd.DataFrame) -> pd.DataFrame:
    """Sessions of the hour joined with their orders: conversion rate (%) and the mean
    minutes from a session's first event to its order. One row per hour (none when idle)."""
    if extract_events.empty:  # an idle hour: no row, but typed columns
        return pd.DataFrame(
            {
                "hour": pd.Series([], dtype="datetime64[us]"),
                "total_sessions": pd.Series([], dtype="int64"),
                "conversions": pd.Series([], dtype="int64"),
                "conversion_rate": pd.Series([], dtype="float64"),
                "avg_time_to_purchase": pd.Series([], dtype="float64"),
            }
        )
    events = extract_events.assign(
        event_time=pd.to_datetime(extract_events["event_time"], utc=True)
    )
    sessions = (
        events.groupby("session_id", as_index=False)["event_time"]
        .min()
        .rename(columns={"event_time": "first_visit_time"})
    )
    orders = extract_orders[["session_id", "order_id", "order_time"]].assign(
        order_time=pd.to_datetime(extract_orders["order_time"], utc=True)
    )
    joined = sessions.merge(orders, on="session_id", how="left")
    minutes = (joined["order_time"] - joined["first_visit_time"]).dt.total_seconds() / 60
    total_sessions = int(sessions["session_id"].nunique())
    conversions = int(joined.loc[joined["order_id"].notna(), "session_id"].nunique())
    hour = events["event_time"].min().floor("h").tz_localize(None)
    return pd.DataFrame(
        {
            "hour": [hour],
            "total_sessions": [total_sessions],
            "conversions": [conversions],
            "conversion_rate": [100.0 * conversions / total_sessions],
            "avg_time_to_purchase": [float(minutes.mean()) if minutes.notna().any() else None],
        }
    )
