"""The metric names and codes that the collector exports and the rules query.

One place for both sides: `monitor.metrics` exports these series from the
store, `alerts.render` writes PromQL over them, and `alerts.Evaluator`
evaluates the same rules over the same samples.
"""

from __future__ import annotations

RUNS_TOTAL = "pipeline_runs_total"
RUNS_IN_PROGRESS = "pipeline_runs_in_progress"
RECORDS_PROCESSED_TOTAL = "pipeline_records_processed_total"
PROCESSING_DURATION = "pipeline_processing_duration_seconds"
RECORDS_IN_QUEUE = "pipeline_records_in_queue"
DATA_FRESHNESS = "pipeline_data_freshness_seconds"
LAST_RUN = "pipeline_last_run_timestamp_seconds"
LAST_SUCCESS = "pipeline_last_success_timestamp_seconds"
CHECK_STATUS = "riverkeeper_check_status"
CHECK_VALUE = "riverkeeper_check_value"
CHECK_LAST_RUN = "riverkeeper_check_last_run_timestamp_seconds"
SCHEDULER_LAG = "riverkeeper_scheduler_lag_seconds"
OUTBOX_PENDING = "riverkeeper_lineage_outbox_pending"
OUTBOX_OLDEST_AGE = "riverkeeper_lineage_outbox_oldest_pending_age_seconds"
STORE_UP = "riverkeeper_store_up"
SCRAPE_DURATION = "riverkeeper_scrape_duration_seconds"

# Record statuses of `pipeline_records_processed_total`.
RECORD_STATUSES = ("success", "failure", "rejected")
# Finished run states counted by `pipeline_runs_total`.
RUN_STATUSES = ("success", "failed", "aborted")

# `riverkeeper_check_status`: the latest outcome of a check, ordered by badness.
OUTCOME_CODES: dict[str, int] = {"pass": 0, "learning": 0, "warn": 1, "fail": 2, "error": 3}


def outcome_code(outcome: str) -> int:
    """The status code of a stored check outcome; an unknown outcome counts as error."""
    return OUTCOME_CODES.get(outcome, OUTCOME_CODES["error"])
