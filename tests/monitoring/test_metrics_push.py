"""Metrics pushed by the pipeline's functions reach Prometheus with the pushed values.

Push -> real Pushgateway -> real Prometheus scrape -> PromQL, plus what the gateway holds
after pushes that must replace earlier ones, and numbers read from real commit markers.
"""

from __future__ import annotations

import time

import pytest

from medallion.lake import write_commit_marker
from medallion.publication import publish_partition
from monitoring import metrics
from monitoring.partition_metrics import push_partition_metrics


def values_by(stack, promql: str, label: str, wait_until) -> dict[str, float]:
    """Instant query result as {value of `label`: value}, waiting for the first scrape."""
    result = wait_until(lambda: stack.query(promql))
    return {series["metric"].get(label, ""): float(series["value"][1]) for series in result}


def test_pushed_run_metrics_are_queryable_in_prometheus(
    monitoring_stack, pushgateway_url, wait_until
):
    pipeline, ds = "roundtrip", "2026-11-21"
    assert metrics.push_layer_rows(
        pipeline,
        "bronze.ingest_orders",
        "bronze",
        "orders",
        ds,
        1_000,
        input_rows=1_004,
        previous_rows=1_200,
    )
    assert metrics.push_quarantine(
        pipeline,
        "silver.refine_orders",
        "orders",
        ds,
        {"out_of_range:amount": 4, "missing_value:order_id": 2},
    )
    assert metrics.push_gate_result(
        pipeline, "silver.validate_orders", "silver", "orders", ds, 20, 18
    )
    assert metrics.push_duplicate_keys(
        pipeline, "silver.validate_orders", "silver", "orders", ds, 0
    )
    assert metrics.push_task_duration(pipeline, "bronze.ingest_orders", ds, 12.5, "success")
    assert metrics.push_run_status(pipeline, ds, "manual__roundtrip", "success", 95.0)
    pushed_at = time.time()
    assert metrics.push_last_success(pipeline)

    expected = {  # metric -> (the label that tells its series apart, {label value: value})
        "medallion_layer_rows": ("layer", {"bronze": 1_000, "quarantine": 6}),
        "medallion_layer_input_rows": ("layer", {"bronze": 1_004}),
        "medallion_layer_previous_rows": ("layer", {"bronze": 1_200}),
        "medallion_quarantined_rows": (
            "reason",
            {"out_of_range:amount": 4, "missing_value:order_id": 2},
        ),
        "medallion_gate_success_ratio": ("table", {"orders": 0.9}),
        "medallion_duplicate_keys": ("table", {"orders": 0}),
        "medallion_task_duration_seconds": ("status", {"success": 12.5}),
        "medallion_run_success": ("run_id", {"manual__roundtrip": 1}),
    }
    for metric, (label, values) in expected.items():
        promql = f'{metric}{{pipeline="{pipeline}"}}'
        assert values_by(monitoring_stack, promql, label, wait_until) == values, metric

    (bronze,) = monitoring_stack.query(
        f'medallion_layer_rows{{pipeline="{pipeline}",layer="bronze"}}'
    )
    assert {key: bronze["metric"][key] for key in ("job", "task", "table", "ds")} == {
        "job": "medallion",
        "task": "bronze.ingest_orders",
        "table": "orders",
        "ds": ds,
    }
    promql = f'medallion_last_success_timestamp_seconds{{pipeline="{pipeline}"}}'
    last_success = values_by(monitoring_stack, promql, "pipeline", wait_until)[pipeline]
    assert abs(last_success - pushed_at) < 5


def test_failed_run_keeps_the_last_success(pushgateway_url, gateway_samples):
    pipeline = "keeps_last_success"
    metrics.push_run_status(pipeline, "2026-11-20", "run_1", "success", 10.0)
    metrics.push_last_success(pipeline)
    last_success = gateway_samples(
        pushgateway_url, "medallion_last_success_timestamp_seconds", pipeline=pipeline
    )
    assert len(last_success) == 1

    metrics.push_run_status(pipeline, "2026-11-21", "run_2", "failed", 20.0)

    status = gateway_samples(pushgateway_url, "medallion_run_success", pipeline=pipeline)
    assert [(dict(labels)["run_id"], value) for labels, value in status.items()] == [("run_2", 0.0)]
    assert (
        gateway_samples(
            pushgateway_url, "medallion_last_success_timestamp_seconds", pipeline=pipeline
        )
        == last_success
    )


def test_quarantine_push_replaces_the_reasons_of_the_day_before(pushgateway_url, gateway_samples):
    pipeline, task = "quarantine_replace", "silver.refine_orders"
    metrics.push_quarantine(pipeline, task, "orders", "2026-11-20", {"invalid_type:amount": 3})
    metrics.push_quarantine(pipeline, task, "orders", "2026-11-21", {})

    assert gateway_samples(pushgateway_url, "medallion_quarantined_rows", pipeline=pipeline) == {}
    rows = gateway_samples(pushgateway_url, "medallion_layer_rows", pipeline=pipeline)
    assert [(dict(labels)["ds"], value) for labels, value in rows.items()] == [("2026-11-21", 0.0)]


def test_one_task_reporting_two_layers_keeps_both(pushgateway_url, gateway_samples):
    pipeline, task = "two_layers", "silver.refine_orders"
    metrics.push_layer_rows(pipeline, task, "silver", "orders", "2026-11-21", 950)
    metrics.push_quarantine(pipeline, task, "orders", "2026-11-21", {"duplicate_row": 50})

    rows = gateway_samples(pushgateway_url, "medallion_layer_rows", pipeline=pipeline)
    assert sorted((dict(labels)["layer"], value) for labels, value in rows.items()) == [
        ("quarantine", 50.0),
        ("silver", 950.0),
    ]


def test_partition_metrics_come_from_the_commit_markers(pushgateway_url, gateway_samples, data_dir):
    pipeline, task = "from_markers", "bronze.ingest_orders"
    published = {"2026-11-19": 700, "2026-11-20": 1_000, "2026-11-22": 5}
    # A later delivery exists (a backfill runs an older date): the baseline is still the
    # delivery before ds, not the newest one.
    for ds, rows in published.items():
        write_commit_marker("bronze", "ecommerce", "orders", ds, {"rows": rows})
        publish_partition("bronze", "ecommerce", "orders", ds, audit={})
    # A candidate of an earlier date that its gate rejected is no baseline.
    write_commit_marker("bronze", "ecommerce", "orders", "2026-11-20", {"rows": 3})
    # The delivery just written, waiting for its gate: its metrics are pushed now.
    write_commit_marker(
        "bronze", "ecommerce", "orders", "2026-11-21", {"rows": 640, "source_rows": 641}
    )
    write_commit_marker(
        "quarantine",
        "ecommerce",
        "orders",
        "2026-11-21",
        {"rows": 9, "rows_by_reason": {"out_of_range:amount": 9}},
    )

    assert push_partition_metrics(pipeline, task, "bronze", "ecommerce", "orders", "2026-11-21")
    assert push_partition_metrics(
        pipeline, "silver.refine_orders", "quarantine", "ecommerce", "orders", "2026-11-21"
    )

    def bronze(metric: str) -> float:
        (value,) = gateway_samples(
            pushgateway_url, metric, pipeline=pipeline, layer="bronze"
        ).values()
        return value

    assert (bronze("medallion_layer_rows"), bronze("medallion_layer_input_rows")) == (640, 641)
    assert bronze("medallion_layer_previous_rows") == 1_000
    assert list(
        gateway_samples(pushgateway_url, "medallion_quarantined_rows", pipeline=pipeline).values()
    ) == [9]


def test_partition_metrics_refuse_an_uncommitted_partition(pushgateway_url, data_dir):
    with pytest.raises(ValueError, match=r"ingest_date=2026-11-21 has no commit marker"):
        push_partition_metrics("p", "t", "silver", "ecommerce", "orders", "2026-11-21")


@pytest.mark.parametrize(
    ("push", "message"),
    [
        (
            lambda: metrics.push_layer_rows("p", "t", "quarantine", "orders", "d", 1),
            "use push_quarantine",
        ),
        (lambda: metrics.push_layer_rows("p", "t", "platinum", "orders", "d", 1), "unknown layer"),
        (
            lambda: metrics.push_layer_rows("p", "t", "silver", "orders", "d", -1),
            "rows must be a count",
        ),
        (
            lambda: metrics.push_gate_result("p", "t", "silver", "orders", "d", 3, 4),
            "passed <= evaluated",
        ),
        (lambda: metrics.push_run_status("p", "d", "r", "skipped", 1.0), "unknown status"),
    ],
)
def test_wrong_numbers_are_refused_before_any_push(push, message):
    with pytest.raises(ValueError, match=message):
        push()
