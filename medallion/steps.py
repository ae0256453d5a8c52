"""The steps every pipeline's DAG runs, shared by all datasets.

A DAG task calls one of these with the dataset, table and delivery date. Each step runs
its job, turns a data error into an immediate task failure (no retries), and pushes the
numbers it produced to the Pushgateway (a no-op when MEDALLION_PUSHGATEWAY_URL is unset).
Each also reports the folders it reads and writes for the task's OpenLineage events
(medallion.lineage), first, so a failed task's event names them too.
Heavy modules (pyspark, dbt, great_expectations) are imported inside the steps, so a DAG
file importing this module stays cheap to parse.
"""

from __future__ import annotations

from medallion import lineage
from medallion.errors import fail_fast_on_data_errors


def ingest_step(spark, dataset: str, table: str, ds: str, pipeline: str, task_id: str) -> dict:
    """Landing files of one table and date -> bronze partition."""
    from monitoring.partition_metrics import push_partition_metrics
    from spark.jobs import ingest_to_bronze

    lineage.report_ingest(dataset, table, ds)
    with fail_fast_on_data_errors():
        result = ingest_to_bronze.run(spark, dataset, table, ds)
    push_partition_metrics(pipeline, task_id, "bronze", dataset, table, ds)
    return result


def refine_step(spark, dataset: str, table: str, ds: str, pipeline: str, task_id: str) -> dict:
    """Bronze partition -> silver and quarantine partitions."""
    from monitoring.partition_metrics import push_partition_metrics
    from spark.jobs import refine_to_silver

    lineage.report_refine(dataset, table)
    with fail_fast_on_data_errors():
        result = refine_to_silver.run(spark, dataset, table, ds)
    push_partition_metrics(pipeline, task_id, "silver", dataset, table, ds)
    push_partition_metrics(pipeline, task_id, "quarantine", dataset, table, ds)
    return result


def gold_step(dataset: str, ds: str, pipeline: str, task_id: str) -> dict:
    """dbt build over all published silver -> candidate gold (warehouse and parquet), which
    the gold gate audits and publishes."""
    from medallion.gold import build_gold
    from monitoring.metrics import push_layer_rows

    lineage.report_gold(dataset)
    with fail_fast_on_data_errors():
        result = build_gold(dataset)
    for mart, rows in result["mart_rows"].items():
        push_layer_rows(pipeline, task_id, "gold", mart, ds, rows)
    return result


def gate_step(layer: str, dataset: str, table: str, ds: str, pipeline: str, task_id: str) -> dict:
    """Run the quality gate of one layer and publish what passed it (write - audit -
    publish; `table` is ignored for gold: it checks every mart).

    The gate's result is pushed as metrics whether it passed or not: a failed gate is
    what the QualityGateFailed and DuplicateRecords alerts are about.
    """
    from medallion.quality import gates
    from medallion.quality.results import GateFailedError

    lineage.report_gate(layer, dataset, table)
    with fail_fast_on_data_errors():
        try:
            result = gates.audit_and_publish(layer, dataset, table, ds)
        except GateFailedError as error:
            _push_gate_metrics(pipeline, task_id, error.result)
            raise
    _push_gate_metrics(pipeline, task_id, result)
    return result.to_dict()


def _push_gate_metrics(pipeline: str, task_id: str, result) -> None:
    from monitoring.metrics import push_duplicate_keys, push_gate_result

    push_gate_result(
        pipeline,
        task_id,
        result.layer,
        result.table,
        result.ingest_date,
        result.evaluated,
        result.passed,
    )
    if result.layer in ("silver", "gold"):
        # Rows breaking a uniqueness expectation are rows whose key occurs more than once.
        duplicates = sum(
            failure.unexpected_count or 0
            for failure in result.failures
            if "unique" in failure.expectation
        )
        push_duplicate_keys(
            pipeline, task_id, result.layer, result.table, result.ingest_date, duplicates
        )
