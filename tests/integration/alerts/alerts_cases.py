"""One case per rule kind: a rule, input series (promtool notation), expected firing alerts.

The same cases drive `promtool test rules` (Prometheus evaluates the rendered
PromQL) and the built-in evaluator (alerts.Evaluator over the same samples),
so both back ends are held to the same expected alerts and annotation text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prometheus_client.core import GaugeMetricFamily

_SERIES = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\}$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
_EXPAND = re.compile(r"^(-?[\d.]+)(?:([+-][\d.]+))?x(\d+)$")


@dataclass
class Case:
    kind: str
    rule: dict[str, Any]
    series: dict[str, str]  # 'name{labels}' -> promtool values, one per minute
    expect: dict[int, list[dict[str, Any]]]  # minute -> [{labels, annotations}]
    extra_config: dict[str, Any] = field(default_factory=dict)


def expand(values: str) -> list[float]:
    """promtool's notation: '1 2 3', '0+60x3' (0 60 120 180), '5x2' (5 5 5)."""
    out: list[float] = []
    for token in values.split():
        m = _EXPAND.match(token)
        if m is None:
            out.append(float(token))
            continue
        start, step, times = float(m.group(1)), float(m.group(2) or 0), int(m.group(3))
        out += [start + i * step for i in range(times + 1)]
    return out


def parse_series(text: str) -> tuple[str, dict[str, str]]:
    m = _SERIES.match(text)
    assert m, text
    return m.group(1), dict(_LABEL.findall(m.group(2)))


def at_minute(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, UTC)


def families_at(case: Case, minute: int) -> list[GaugeMetricFamily]:
    """The samples of every series at `minute` (as a scrape would give them)."""
    families: dict[str, GaugeMetricFamily] = {}
    for text, values in case.series.items():
        name, labels = parse_series(text)
        points = expand(values)
        if minute >= len(points):
            continue
        fam = families.setdefault(name, GaugeMetricFamily(name, "", labels=sorted(labels)))
        fam.add_metric([labels[k] for k in sorted(labels)], points[minute])
    return list(families.values())


CASES = [
    Case(
        "pipeline_stale",
        {
            "name": "PipelineStale",
            "type": "pipeline_stale",
            "max_age": "1h",
            "for": "5m",
            "severity": "critical",
        },
        {
            'pipeline_last_success_timestamp_seconds{pipeline="orders_etl"}': "0x120",
            'pipeline_last_success_timestamp_seconds{pipeline="fresh"}': "0+60x120",
        },
        {
            59: [],
            65: [],  # pending since 61m, `for: 5m` not yet over
            66: [
                {
                    "labels": {"severity": "critical", "pipeline": "orders_etl"},
                    "annotations": {
                        "summary": "Pipeline orders_etl has not succeeded for over 1h",
                        "description": "Last success 1h 6m 0s ago.",
                    },
                }
            ],
        },
    ),
    Case(
        "dataset_stale",
        {
            "name": "StaleData",
            "type": "dataset_stale",
            "max_age": "2h",
            "datasets": ["warehouse.fact_orders", "production.orders"],
            "labels": {"team": "data"},
        },
        {
            'pipeline_data_freshness_seconds{pipeline="orders_etl",dataset="warehouse.fact_orders"}': "3600+60x90",
            'pipeline_data_freshness_seconds{pipeline="orders_etl",dataset="warehouse.other"}': "9000x90",
            # would match if the dot were not escaped in the regex
            'pipeline_data_freshness_seconds{pipeline="x",dataset="warehouseXfact_orders"}': "9000x90",
        },
        {
            60: [],
            61: [
                {
                    "labels": {
                        "severity": "warning",
                        "team": "data",
                        "pipeline": "orders_etl",
                        "dataset": "warehouse.fact_orders",
                    },
                    "annotations": {
                        "summary": "Data in warehouse.fact_orders is older than 2h",
                        "description": "The newest data is 2h 1m 0s old.",
                    },
                }
            ],
        },
    ),
    Case(
        "error_rate",
        {
            "name": "HighPipelineErrorRate",
            "type": "error_rate",
            "max_ratio": 0.01,
            "window": "5m",
            "severity": "critical",
        },
        {
            'pipeline_records_processed_total{pipeline="orders_etl",status="success"}': "0+980x30",
            'pipeline_records_processed_total{pipeline="orders_etl",status="failure"}': "0+15x30",
            'pipeline_records_processed_total{pipeline="orders_etl",status="rejected"}': "0+5x30",
            'pipeline_records_processed_total{pipeline="billing",status="success"}': "0+999x30",
            'pipeline_records_processed_total{pipeline="billing",status="failure"}': "0+1x30",
            'pipeline_records_processed_total{pipeline="billing",status="rejected"}': "0x30",
        },
        {
            10: [
                {
                    "labels": {"severity": "critical", "pipeline": "orders_etl"},
                    "annotations": {
                        "summary": "Pipeline orders_etl error rate above 1%",
                        "description": "Failure ratio is 2% over 5m.",
                    },
                }
            ],
        },
    ),
    Case(
        "check_failed",
        {
            "name": "CheckFailed",
            "type": "check_failed",
            "check_severities": ["error"],
            "severity": "critical",
        },
        {
            'riverkeeper_check_status{dataset="production.orders",check="missing(customer_id)",severity="error"}': "0 0 2 2 3 0",
            'riverkeeper_check_status{dataset="production.orders",check="validity(email)",severity="warn"}': "2x5",
            'riverkeeper_check_status{dataset="production.orders",check="row_count",severity="error"}': "1x5",
        },
        {
            1: [],
            2: [
                {
                    "labels": {
                        "severity": "critical",
                        "dataset": "production.orders",
                        "check": "missing(customer_id)",
                    },
                    "annotations": {
                        "summary": "Check missing(customer_id) on production.orders failed",
                        "description": "Latest outcome code 2 (1 warn, 2 fail, 3 error).",
                    },
                }
            ],
            5: [],
        },
    ),
    Case(
        "threshold_check",
        {
            "name": "LowConversionRate",
            "type": "threshold",
            "check": {"dataset": "warehouse.hourly_metrics", "check": "avg(conversion_rate)"},
            "op": "<",
            "value": 2,
            "for": "2m",
            "annotations": {"summary": 'Conversion rate dropped to {{ printf "%.2f" $value }}%'},
        },
        {
            'riverkeeper_check_value{dataset="warehouse.hourly_metrics",check="avg(conversion_rate)"}': "3.5 3.5 1.25 1.25 1.25 1.25",
        },
        {
            3: [],
            4: [
                {
                    "labels": {
                        "severity": "warning",
                        "dataset": "warehouse.hourly_metrics",
                        "check": "avg(conversion_rate)",
                    },
                    "annotations": {
                        "summary": "Conversion rate dropped to 1.25%",
                        "description": "Value is 1.25.",
                    },
                }
            ],
        },
    ),
    Case(
        "threshold_metric",
        {
            "name": "DeadLettersWaiting",
            "type": "threshold",
            "metric": "pipeline_records_in_queue",
            "match": {"pipeline": "orders_etl"},
            "op": ">",
            "value": 0,
            "severity": "info",
            "annotations": {
                "summary": "{{ $value }} records of {{ $labels.pipeline }} wait",
                "description": "{{ $value | humanize }} waiting",
            },
        },
        {
            'pipeline_records_in_queue{pipeline="orders_etl"}': "0 0 12000 12000",
            'pipeline_records_in_queue{pipeline="other"}': "7x3",
        },
        {
            1: [],
            2: [
                {
                    "labels": {"severity": "info", "pipeline": "orders_etl"},
                    "annotations": {
                        "summary": "12000 records of orders_etl wait",
                        "description": "12k waiting",
                    },
                }
            ],
        },
    ),
]


def promtool_test(case: Case, rules_file: str) -> dict[str, Any]:
    """A `promtool test rules` file for one case."""
    return {
        "rule_files": [rules_file],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": s, "values": v} for s, v in case.series.items()],
                "alert_rule_test": [
                    {
                        "eval_time": f"{minute}m",
                        "alertname": case.rule["name"],
                        "exp_alerts": [
                            {"exp_labels": a["labels"], "exp_annotations": a["annotations"]}
                            for a in alerts
                        ],
                    }
                    for minute, alerts in case.expect.items()
                ],
            }
        ],
    }
