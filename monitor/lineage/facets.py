"""Facets built from Riverkeeper's values: schema, column lineage, data quality."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openlineage.client.facet_v2 import (
    column_lineage_dataset,
    data_quality_assertions_dataset,
    data_quality_metrics_input_dataset,
    schema_dataset,
    symlinks_dataset,
)

from monitor.pipeline.events import CheckOutcome, ColumnOrigin, DatasetRef

# Transformation subtypes that carry the value (DIRECT) vs. ones that only select it (INDIRECT).
_DIRECT = {"IDENTITY", "TRANSFORMATION", "AGGREGATION"}
_INDIRECT = {"JOIN", "GROUP_BY", "FILTER", "SORT", "WINDOW", "CONDITIONAL"}


def dataset_facets(ds: DatasetRef, alias_namespace: str) -> dict[str, Any]:
    """Schema (when the columns are known) and the config's name as a symlink.

    The symlink `{alias_namespace}` + `<connection>.<table>` lets people (and
    `riverkeeper lineage`) find a dataset by the name they use in the config.
    """
    facets: dict[str, Any] = {}
    if ds.columns:
        fields = [
            schema_dataset.SchemaDatasetFacetFields(name=c.name, type=c.type, ordinal_position=i)
            for i, c in enumerate(ds.columns, start=1)
        ]
        facets["schema"] = schema_dataset.SchemaDatasetFacet(fields=fields)
    if ds.connection and ds.table:
        kind = "FILE" if ds.namespace == "file" else "TABLE"
        alias = symlinks_dataset.Identifier(
            namespace=alias_namespace, name=f"{ds.connection}.{ds.table}", type=kind
        )
        facets["symlinks"] = symlinks_dataset.SymlinksDatasetFacet(identifiers=[alias])
    return facets


def _transformation(kind: str) -> column_lineage_dataset.Transformation:
    subtype = kind.upper()
    if subtype in _INDIRECT:
        return column_lineage_dataset.Transformation(type="INDIRECT", subtype=subtype)
    if subtype not in _DIRECT:  # a kind we do not know: keep it, as a description
        return column_lineage_dataset.Transformation(
            type="DIRECT", subtype="TRANSFORMATION", description=kind
        )
    return column_lineage_dataset.Transformation(
        type="DIRECT", subtype=subtype, masking=False if subtype == "IDENTITY" else None
    )


def column_lineage(
    lineage: Mapping[str, Sequence[ColumnOrigin]],
) -> column_lineage_dataset.ColumnLineageDatasetFacet:
    fields = {}
    for column, origins in sorted(lineage.items()):
        inputs = [
            column_lineage_dataset.InputField(
                namespace=o.dataset.namespace,
                name=o.dataset.name,
                field=o.column,
                transformations=[_transformation(o.transformation)],
            )
            for o in origins
        ]
        fields[column] = column_lineage_dataset.Fields(inputFields=inputs)
    return column_lineage_dataset.ColumnLineageDatasetFacet(fields=fields)


def checks_by_dataset(checks: Iterable[CheckOutcome]) -> dict[str, list[CheckOutcome]]:
    grouped: dict[str, list[CheckOutcome]] = {}
    for check in checks:
        grouped.setdefault(check.dataset.key, []).append(check)
    return grouped


def _metric_kind(check_type: str) -> str | None:
    kind = check_type.lower()
    if "row_count" in kind:
        return "rowCount"
    if "null" in kind or "missing" in kind:
        return "nullCount"
    if "distinct" in kind:
        return "distinctCount"
    return None


def quality_metrics(
    outcomes: Sequence[CheckOutcome],
) -> data_quality_metrics_input_dataset.DataQualityMetricsInputDatasetFacet:
    """Metrics the checks measured: row counts, null and distinct counts per column."""
    row_count: int | None = None
    columns: dict[str, dict[str, int]] = {}
    for c in outcomes:
        kind = _metric_kind(c.type)
        if kind is None or c.value is None or not math.isfinite(c.value) or c.value != int(c.value):
            continue  # a percentage or a value of another kind is not a count
        if kind == "rowCount" and c.column is None:
            row_count = int(c.value)
        elif c.column is not None and kind != "rowCount":
            columns.setdefault(c.column, {})[kind] = int(c.value)
    return data_quality_metrics_input_dataset.DataQualityMetricsInputDatasetFacet(
        rowCount=row_count,
        columnMetrics={
            col: data_quality_metrics_input_dataset.ColumnMetrics(
                nullCount=metrics.get("nullCount"), distinctCount=metrics.get("distinctCount")
            )
            for col, metrics in sorted(columns.items())
        },
    )


def assertions(
    outcomes: Sequence[CheckOutcome],
) -> data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet:
    return data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(
        assertions=[
            data_quality_assertions_dataset.Assertion(
                assertion=c.type,
                success=c.outcome in ("pass", "warn"),
                column=c.column,
                severity=c.severity,
                name=c.name,
                expected=c.expected or None,
                actual=None if c.value is None else f"{c.value:g}",
                params={"outcome": c.outcome},
            )
            for c in outcomes
        ]
    )
