"""The run statistics the pipeline pushes to a Prometheus Pushgateway, and their meaning.

A batch task is over before Prometheus would come by to scrape it, so each task pushes its
numbers to a Pushgateway, which keeps the latest value of every series, and Prometheus
scrapes the gateway (monitoring/prometheus/prometheus.yml). `METRICS` lists every metric
with its help text; monitoring/README.md has the same table with labels and alerts.

Groups. The Pushgateway stores series in groups named by labels, and a push replaces,
inside its group, every series of the metric names it carries. Our groups are

    {job="medallion", pipeline=<dag_id>}                        run status, last success
    {job="medallion", pipeline, task=<task_id>}                 task duration
    {job="medallion", pipeline, task, layer, table}             rows, gates, duplicate keys

so a task that reports two layers or two tables never overwrites its own numbers, while
the next run of the same task replaces the previous run's (Prometheus keeps the history).
The group labels become labels of every series in the group.

Every function returns True if the gateway took the numbers. Where the gateway comes from,
and what happens when it is down (nothing but one warning): monitoring.pushgateway.
"""

from __future__ import annotations

import time

from monitoring.pushgateway import Sample, push_samples

LAYERS = ("bronze", "silver", "quarantine", "gold")
RUN_STATUSES = ("success", "failed")

METRICS = {
    "medallion_layer_rows": "Rows written to a layer's table for one delivery date (ds).",
    "medallion_layer_input_rows": (
        "Rows the task read to write that partition (landing rows for bronze, "
        "bronze rows for silver)."
    ),
    "medallion_layer_previous_rows": (
        "Rows of the same layer and table in the delivery date before ds (RowCountDrop "
        "compares against it)."
    ),
    "medallion_quarantined_rows": "Rows of one delivery date sent to quarantine, by reason.",
    "medallion_duplicate_keys": (
        "Key values that occur more than once in a layer's table (0 = every key is unique)."
    ),
    "medallion_gate_expectations_evaluated": "Expectations a quality gate evaluated.",
    "medallion_gate_expectations_passed": "Expectations of a quality gate that passed.",
    "medallion_gate_success_ratio": (
        "Share of a quality gate's expectations that passed (1 = the gate passed)."
    ),
    "medallion_task_duration_seconds": "Duration of a task's last try, by its final status.",
    "medallion_run_success": (
        "1 if the pipeline's latest finished run succeeded, 0 if it failed after its retries."
    ),
    "medallion_run_duration_seconds": "Duration of the pipeline's latest finished run.",
    "medallion_run_finished_timestamp_seconds": (
        "When the pipeline's latest run finished (Unix time), with its logical date (ds)."
    ),
    "medallion_last_success_timestamp_seconds": (
        "When the pipeline last finished a run successfully (Unix time)."
    ),
}


def push_layer_rows(
    pipeline: str,
    task: str,
    layer: str,
    table: str,
    ds: str | None,
    rows: int,
    *,
    input_rows: int | None = None,
    previous_rows: int | None = None,
) -> bool:
    """Rows a task wrote into `layer`.`table` for delivery date `ds`.

    `previous_rows` are the rows of the delivery date before (see
    monitoring.partition_metrics), the baseline of the RowCountDrop alert.
    """
    if layer == "quarantine":
        raise ValueError("quarantined rows are pushed with their reasons: use push_quarantine")
    _check_layer(layer)
    labels = {"ds": ds or ""}
    samples = [_sample("medallion_layer_rows", _count(rows, "rows"), labels)]
    if input_rows is not None:
        samples.append(
            _sample("medallion_layer_input_rows", _count(input_rows, "input_rows"), labels)
        )
    if previous_rows is not None:
        samples.append(
            _sample("medallion_layer_previous_rows", _count(previous_rows, "previous_rows"), labels)
        )
    return push_samples(_table_group(pipeline, task, layer, table), samples)


def push_quarantine(
    pipeline: str, task: str, table: str, ds: str | None, rows_by_reason: dict[str, int]
) -> bool:
    """Rows of `table` quarantined for `ds`, by reject reason (e.g. `out_of_range:amount`).

    Also pushes their total as `medallion_layer_rows{layer="quarantine"}`. This function
    alone writes the quarantine group, so it replaces the group whole: a day without
    rejected rows must also clear the reasons of the day before.
    """
    labels = {"ds": ds or ""}
    total = sum(
        _count(rows, f"rows_by_reason[{reason!r}]") for reason, rows in rows_by_reason.items()
    )
    samples = [_sample("medallion_layer_rows", total, labels)]
    samples += [
        _sample("medallion_quarantined_rows", rows, {**labels, "reason": reason})
        for reason, rows in sorted(rows_by_reason.items())
    ]
    group = _table_group(pipeline, task, "quarantine", table)
    return push_samples(group, samples, replace_group=True)


def push_duplicate_keys(
    pipeline: str, task: str, layer: str, table: str, ds: str | None, duplicate_keys: int
) -> bool:
    """Key values found more than once in `layer`.`table` (0 when every key is unique)."""
    _check_layer(layer)
    sample = _sample(
        "medallion_duplicate_keys", _count(duplicate_keys, "duplicate_keys"), {"ds": ds or ""}
    )
    return push_samples(_table_group(pipeline, task, layer, table), [sample])


def push_gate_result(
    pipeline: str, task: str, layer: str, table: str, ds: str | None, evaluated: int, passed: int
) -> bool:
    """Outcome of the quality gate of `layer`.`table`: expectations evaluated and passed."""
    _check_layer(layer)
    if _count(evaluated, "evaluated") == 0 or not 0 <= passed <= evaluated:
        raise ValueError(
            f"gate {layer}.{table}: need 0 <= passed <= evaluated and evaluated > 0, "
            f"got passed={passed}, evaluated={evaluated}"
        )
    labels = {"ds": ds or ""}
    samples = [
        _sample("medallion_gate_expectations_evaluated", evaluated, labels),
        _sample("medallion_gate_expectations_passed", passed, labels),
        _sample("medallion_gate_success_ratio", passed / evaluated, labels),
    ]
    return push_samples(_table_group(pipeline, task, layer, table), samples)


def push_task_duration(
    pipeline: str, task: str, ds: str | None, seconds: float, status: str
) -> bool:
    """How long the task's last try took, and whether it ended `success` or `failed`."""
    _check_status(status)
    sample = _sample("medallion_task_duration_seconds", seconds, {"ds": ds or "", "status": status})
    return push_samples({"pipeline": pipeline, "task": task}, [sample])


def push_run_status(
    pipeline: str, ds: str | None, run_id: str, status: str, duration_seconds: float | None
) -> bool:
    """The outcome of a finished run (`success`, or `failed` after the tasks' retries)."""
    _check_status(status)
    labels = {"ds": ds or "", "run_id": run_id}
    samples = [
        _sample("medallion_run_success", 1.0 if status == "success" else 0.0, labels),
        _sample("medallion_run_finished_timestamp_seconds", time.time(), labels),
    ]
    if duration_seconds is not None:
        samples.append(_sample("medallion_run_duration_seconds", duration_seconds, labels))
    return push_samples({"pipeline": pipeline}, samples)


def push_last_success(pipeline: str) -> bool:
    """Record that `pipeline` just finished a run successfully: call it on success only."""
    sample = _sample("medallion_last_success_timestamp_seconds", time.time(), {})
    return push_samples({"pipeline": pipeline}, [sample])


def _table_group(pipeline: str, task: str, layer: str, table: str) -> dict[str, str]:
    return {"pipeline": pipeline, "task": task, "layer": layer, "table": table}


def _check_layer(layer: str) -> None:
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; expected one of {LAYERS}")


def _check_status(status: str) -> None:
    if status not in RUN_STATUSES:
        raise ValueError(f"unknown status {status!r}; expected one of {RUN_STATUSES}")


def _count(value: int, name: str) -> int:
    if value < 0:
        raise ValueError(f"{name} must be a count >= 0, got {value}")
    return value


def _sample(metric: str, value: float, labels: dict[str, str]) -> Sample:
    return Sample(metric, METRICS[metric], value, labels)
