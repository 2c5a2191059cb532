"""Events built from run values: structure, facets, and validity against the spec."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from monitor.lineage.events import EventBuilder, LineageSettings, producer_uri, serialize
from monitor.lineage.redact import scrub
from monitor.pipeline.events import RunState, TaskState
from tests.lineage_plugin import validate_event
from tests.unit.lineage.lineage_samples import (
    ORDERS,
    RAW_ORDERS,
    RUN_ID,
    SUMMARY,
    SUMMARY_SQL,
    T0,
    extract_report,
    run_info,
    sql_report,
    task_info,
)


def as_dict(event: object) -> dict:  # type: ignore[type-arg]
    data = json.loads(serialize(event))  # type: ignore[arg-type]
    assert validate_event(data) == []
    return data  # type: ignore[no-any-return]


@pytest.fixture
def builder() -> EventBuilder:
    return EventBuilder(LineageSettings(namespace="acme"))


def test_pipeline_run_has_start_and_terminal_events_with_dag_job_type(builder: EventBuilder):
    start = as_dict(builder.pipeline_start(run_info(), T0))
    end = as_dict(builder.pipeline_end(run_info(), RunState.SUCCESS, T0))
    assert (start["eventType"], end["eventType"]) == ("START", "COMPLETE")
    assert start["run"]["runId"] == RUN_ID
    assert start["job"] == {
        "namespace": "acme",
        "name": "orders_daily",
        "facets": {"jobType": start["job"]["facets"]["jobType"]},
    }
    assert start["job"]["facets"]["jobType"]["jobType"] == "DAG"
    assert start["eventTime"] == "2026-11-25T06:00:00+00:00"
    nominal = start["run"]["facets"]["nominalTime"]
    assert nominal["nominalStartTime"] == "2026-11-24T06:00:00+00:00"


@pytest.mark.parametrize(
    ("state", "expected"),
    [(RunState.FAILED, "FAIL"), (RunState.ABORTED, "ABORT"), (RunState.SUCCESS, "COMPLETE")],
)
def test_pipeline_end_state_maps_to_event_type(builder: EventBuilder, state, expected):
    error = "orders_daily.load: boom" if state == RunState.FAILED else None
    end = as_dict(builder.pipeline_end(run_info(), state, T0, error))
    assert end["eventType"] == expected
    assert ("errorMessage" in end["run"]["facets"]) == (error is not None)


def test_producer_is_ours_on_event_and_facets(builder: EventBuilder):
    event = as_dict(builder.task_end(task_info("extract_orders"), extract_report()))
    assert event["producer"] == producer_uri()
    assert producer_uri().startswith("https://github.com/riverkeeper/riverkeeper/tree/")
    assert event["run"]["facets"]["parent"]["_producer"] == producer_uri()
    assert event["outputs"][0]["facets"]["schema"]["_producer"] == producer_uri()


def test_task_events_name_the_task_job_and_point_to_the_pipeline_run(builder: EventBuilder):
    task = task_info("extract_orders")
    start = as_dict(builder.task_start(task, T0))
    assert start["job"]["name"] == "orders_daily.extract_orders"
    assert start["run"]["runId"] == task.task_run_id != RUN_ID
    parent = start["run"]["facets"]["parent"]
    assert parent["run"]["runId"] == RUN_ID
    assert parent["job"] == {"namespace": "acme", "name": "orders_daily"}
    assert parent["root"]["run"]["runId"] == RUN_ID
    assert parent["root"]["job"]["name"] == "orders_daily"
    assert start["job"]["facets"]["jobType"]["jobType"] == "TASK"


def test_task_complete_carries_schema_statistics_lineage_and_quality(builder: EventBuilder):
    event = as_dict(builder.task_end(task_info("extract_orders"), extract_report()))
    assert event["eventType"] == "COMPLETE"
    inputs = {(d["namespace"], d["name"]): d for d in event["inputs"]}
    orders = inputs[(ORDERS.namespace, ORDERS.name)]
    assert [f["name"] for f in orders["facets"]["schema"]["fields"]] == [
        "order_id",
        "customer_id",
        "total",
    ]
    metrics = orders["inputFacets"]["dataQualityMetrics"]
    assert metrics["rowCount"] == 120
    assert metrics["columnMetrics"]["customer_id"]["nullCount"] == 3
    assertions = orders["inputFacets"]["dataQualityAssertions"]["assertions"]
    assert {(a["assertion"], a["success"], a.get("column")) for a in assertions} == {
        ("not_null", True, "customer_id"),
        ("row_count", True, None),
    }
    # the output checked in flight is read by its check: it appears as an input with the result
    raw_in = inputs[(RAW_ORDERS.namespace, RAW_ORDERS.name)]
    [failed] = raw_in["inputFacets"]["dataQualityAssertions"]["assertions"]
    assert (failed["success"], failed["actual"], failed["severity"]) == (False, "2", "error")

    [out] = event["outputs"]
    assert out["outputFacets"]["outputStatistics"]["rowCount"] == 118
    lineage = out["facets"]["columnLineage"]["fields"]
    assert lineage["customer_id"]["inputFields"] == [
        {
            "namespace": ORDERS.namespace,
            "name": ORDERS.name,
            "field": "customer_id",
            "transformations": [{"type": "DIRECT", "subtype": "IDENTITY", "masking": False}],
        }
    ]


def test_sql_task_has_sql_facet_and_direct_and_indirect_column_lineage(builder: EventBuilder):
    event = as_dict(builder.task_end(task_info("summary", kind="sql"), sql_report()))
    assert event["job"]["facets"]["sql"]["query"] == SUMMARY_SQL
    assert event["job"]["facets"]["sql"]["dialect"] == "duckdb"
    assert event["job"]["facets"]["jobType"]["jobType"] == "QUERY"
    [out] = event["outputs"]
    assert (out["name"], out["outputFacets"]["outputStatistics"]["rowCount"]) == (SUMMARY.name, 7)
    date_inputs = out["facets"]["columnLineage"]["fields"]["order_date"]["inputFields"]
    assert [t["transformations"][0]["type"] for t in date_inputs] == ["DIRECT", "INDIRECT"]
    assert date_inputs[1]["transformations"][0]["subtype"] == "GROUP_BY"
    revenue = out["facets"]["columnLineage"]["fields"]["total_revenue"]["inputFields"]
    assert revenue[0]["transformations"][0]["subtype"] == "AGGREGATION"


def test_failed_task_carries_the_error_and_stack(builder: EventBuilder):
    report = extract_report(TaskState.FAILED, error="connection 'production' failed: refused")
    event = as_dict(builder.task_end(task_info("extract_orders"), report))
    assert event["eventType"] == "FAIL"
    error = event["run"]["facets"]["errorMessage"]
    assert error["message"] == "connection 'production' failed: refused"
    assert error["programmingLanguage"] == "PYTHON"
    assert error["stackTrace"].startswith("Traceback")
    assert "outputStatistics" not in event["outputs"][0].get("outputFacets", {})


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (TaskState.RETRYING, "RUNNING"),
        (TaskState.SKIPPED, "ABORT"),
        (TaskState.UPSTREAM_FAILED, "ABORT"),
        (TaskState.ABORTED, "ABORT"),
    ],
)
def test_task_states_map_to_event_types(builder: EventBuilder, state, expected):
    report = extract_report(state)
    assert as_dict(builder.task_end(task_info("x"), report))["eventType"] == expected


def test_unknown_transformation_is_kept_as_a_description(builder: EventBuilder):
    from monitor.lineage.facets import column_lineage
    from monitor.pipeline.events import ColumnOrigin

    facet = column_lineage({"x": (ColumnOrigin(ORDERS, "total", "MASKED_HASH"),)})
    [field] = facet.fields["x"].inputFields
    assert field.transformations is not None
    assert (field.transformations[0].type, field.transformations[0].description) == (
        "DIRECT",
        "MASKED_HASH",
    )


def test_naive_time_is_refused_with_the_value(builder: EventBuilder):
    with pytest.raises(ValueError, match=r"naive datetime 2026-01-01T10:00:00 given to lineage"):
        builder.pipeline_start(run_info(), datetime(2026, 1, 1, 10))


def test_validator_catches_spec_violations(builder: EventBuilder):
    good = json.loads(serialize(builder.task_start(task_info("t"), T0)))
    assert validate_event(good) == []
    naive = dict(good, eventTime="2026-01-01T10:00:00")
    assert any("is not a 'date-time'" in e for e in validate_event(naive))
    bad_parent = json.loads(json.dumps(good))
    bad_parent["run"]["facets"]["parent"]["run"]["runId"] = "not-a-uuid"
    assert any(
        "run.facets.parent/run/runId: 'not-a-uuid' is not a 'uuid'" in e
        for e in validate_event(bad_parent)
    )
    no_producer = json.loads(json.dumps(good))
    del no_producer["job"]["facets"]["jobType"]["_producer"]
    assert validate_event(no_producer)


def test_scrub_removes_url_passwords_and_known_secrets():
    text = "postgresql+psycopg://rk:s3cr3t@db:5432/x failed; token abcd1234 used"
    assert scrub(text, ["abcd1234"]) == (
        "postgresql+psycopg://rk:***@db:5432/x failed; token *** used"
    )
    # a host:port followed by an unrelated "@" elsewhere in JSON text is left alone
    payload = '{"namespace":"postgres://db:5432","message":"bad email a@b.c"}'
    assert scrub(payload) == payload


def test_serialize_scrubs_secrets_from_errors_and_sql(builder: EventBuilder):
    report = extract_report(
        TaskState.FAILED, error="could not connect to postgresql://rk:hunter22@db:5432/prod"
    )
    text = serialize(builder.task_end(task_info("e"), report), secrets=("hunter22",))
    assert "hunter22" not in text
    assert "postgresql://rk:***@db:5432/prod" in text


def test_sql_dialect_falls_back_to_the_output_namespace(builder: EventBuilder):
    from dataclasses import replace

    report = replace(sql_report(), extra={})
    event = as_dict(builder.task_end(task_info("summary", kind="sql"), report))
    assert event["job"]["facets"]["sql"]["dialect"] == "duckdb"


def test_config_names_become_symlinks(builder: EventBuilder):
    event = as_dict(builder.task_end(task_info("extract_orders"), extract_report()))
    [alias] = event["inputs"][0]["facets"]["symlinks"]["identifiers"]
    assert alias == {"namespace": "acme", "name": "production.orders", "type": "TABLE"}


def test_a_secret_that_is_also_a_key_name_never_breaks_the_json(builder: EventBuilder):
    report = extract_report(TaskState.FAILED, error="login as name failed")
    text = serialize(builder.task_end(task_info("e"), report), secrets=("name",))
    event = json.loads(text)
    assert event["job"]["name"] == "orders_daily.e"  # the key "name" is intact
    assert event["run"]["facets"]["errorMessage"]["message"] == "login as *** failed"
    assert validate_event(event) == []
