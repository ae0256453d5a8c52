"""Lab 3 — Orchestrate & Monitor: the schedule, retries and alerts of ecommerce_daily.

The participant writes the orchestration of airflow/dags/ecommerce_daily.py (the starter
copy runs by hand but has no schedule, no retries and no callbacks), runs the DAG end to
end and finds its numbers and metrics. The checks of the DAG file are in
lab3_dag_checks.py; the run checks here read Airflow's metadata DB (airflow_runs.py), the
lake's commit markers and the Pushgateway.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import requests
from prometheus_client.parser import text_string_to_metric_families

from medallion.contracts import list_tables
from medallion.lake import read_commit_marker
from medallion.teaching.airflow_runs import (
    AirflowStateUnavailable,
    DagRun,
    dag_runs,
    metadata_db,
    task_runs,
)
from medallion.teaching.checks import CheckResult, fail, ok, warn
from medallion.teaching.labs.base import Lab, LabContext, Milestone
from medallion.teaching.labs.lab3_dag_checks import (
    DAG_FILE,
    DAG_ID,
    RETRIES,
    dag_parses,
    failure_notifications,
    retries_with_backoff,
    schedule_is_daily,
)

DATASET = "ecommerce"
FIRST_DATE = "2026-11-01"  # the first date `make generate` writes (START in the Makefile)
RUN_IT = f"run one date end to end: `make run DATES={FIRST_DATE}`"


def _good_run(context: LabContext) -> tuple[DagRun | None, CheckResult | None]:
    """The latest successful run of the DAG file as it is now; else why there is none.

    The run must have finished after the file was last changed, and its tasks must have
    had the retries (Airflow records them per task as `max_tries`): an older run proves
    nothing about the participant's DAG.
    """
    try:
        database = metadata_db(context.home)
    except AirflowStateUnavailable as error:
        return None, fail("run", error.found, f"{error.fix}, then {RUN_IT}")
    runs = dag_runs(database, DAG_ID)
    if not runs:
        return None, fail(
            "run",
            f"Airflow has no run of {DAG_ID} yet",
            f"{RUN_IT} (or trigger it in the UI of `make airflow`)",
        )
    changed = datetime.fromtimestamp((context.home / DAG_FILE).stat().st_mtime, UTC)
    successes = [run for run in runs if run.state == "success"]
    for run in reversed(successes):
        tasks = task_runs(database, DAG_ID, run.run_id)
        if run.finished > changed and min((task.max_tries for task in tasks), default=0) >= RETRIES:
            return run, None
    if successes:
        last = successes[-1]
        retries = min((t.max_tries for t in task_runs(database, DAG_ID, last.run_id)), default=0)
        found = f"the last successful run (of {last.ds}) had {retries} retries per task"
        if last.finished <= changed:
            found = (
                f"the last successful run (of {last.ds}) finished at {last.finished:%H:%M} "
                f"UTC, before {DAG_FILE} was last changed ({changed:%H:%M} UTC)"
            )
        return None, fail("run", found, f"run it again: `make run DATES={last.ds}`")
    last = runs[-1]
    failed = [t.task_id for t in task_runs(database, DAG_ID, last.run_id) if t.state == "failed"]
    found = f"no run has succeeded yet; the last one (of {last.ds}) is {last.state}"
    if failed:
        found += f", failed: {', '.join(failed)}"
    return None, fail(
        "run",
        found,
        f"read its log (`make checkpoint Q=dag-run`), fix what it names, then "
        f"`make run DATES={last.ds}`",
    )


def end_to_end_run(context: LabContext) -> CheckResult:
    run, problem = _good_run(context)
    if run is None:
        return problem
    finished = run.finished.strftime("%Y-%m-%d %H:%M UTC") if run.finished else "?"
    return ok(
        "run",
        f"the {run.run_type} run of {run.ds} succeeded (finished {finished}), every task with "
        f"{RETRIES} retries",
    )


def run_numbers(context: LabContext) -> CheckResult:
    run, problem = _good_run(context)
    if run is None:
        return fail("numbers", "no successful run yet (milestone 5)", RUN_IT)
    totals = {"bronze": 0, "silver": 0, "quarantined": 0}
    for table in list_tables(DATASET):
        marker = read_commit_marker("silver", DATASET, table, run.ds)
        if marker is None:
            return fail(
                "numbers",
                f"no committed silver partition of {table} for {run.ds} in {context.data_dir}",
                f"run the date again: `make run DATES={run.ds}`",
            )
        totals["bronze"] += marker["bronze_rows"]
        totals["silver"] += marker["rows"]
        totals["quarantined"] += marker["quarantined"]
    return ok(
        "numbers",
        f"{run.ds}: {totals['bronze']:,} bronze rows -> {totals['silver']:,} silver + "
        f"{totals['quarantined']:,} quarantined (per table: `make checkpoint Q=bronze`)",
    )


def pushed_metrics(context: LabContext) -> CheckResult:
    """The run of milestone 5 pushed its status: proof that the DAG's callbacks ran."""
    run, _ = _good_run(context)
    if run is None:
        return fail("metrics", "no successful run yet (milestone 5)", RUN_IT)
    url = os.environ.get("MEDALLION_PUSHGATEWAY_URL", "")
    again = f"then run the date again (`make run DATES={run.ds}`)"
    if not url:
        return warn("metrics", "metrics are off (MEDALLION_PUSHGATEWAY_URL is empty)", again)
    try:
        response = requests.get(f"{url}/metrics", timeout=3)
        response.raise_for_status()
    except requests.RequestException:
        return warn(
            "metrics", f"no Pushgateway answers at {url}", f"start it with `make monitor`, {again}"
        )
    samples = [
        sample
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if sample.labels.get("pipeline") == DAG_ID
    ]
    status = [
        s.value
        for s in samples
        if s.name == "medallion_run_success" and s.labels.get("run_id") == run.run_id
    ]
    tasks = {s.labels["task"] for s in samples if s.name == "medallion_task_duration_seconds"}
    if not status:
        return fail(
            "metrics",
            f"the Pushgateway at {url} holds no status of the run of {run.ds} ({run.run_id})",
            f"the DAG's callbacks push it (milestone 4); {again} while `make monitor` runs",
        )
    return ok(
        "metrics",
        f"{url} holds medallion_run_success = {status[0]:.0f} for the run of {run.ds} and the "
        f"durations of {len(tasks)} tasks; Prometheus (http://127.0.0.1:19090) graphs them",
    )


LAB = Lab(
    number=3,
    title="Orchestrate & Monitor",
    student_files=(DAG_FILE,),
    milestones=(
        Milestone("the DAG file parses with no import errors", dag_parses),
        Milestone("the DAG runs daily on a cron schedule, for the day before", schedule_is_daily),
        Milestone("every task retries 3 times with exponential backoff", retries_with_backoff),
        Milestone("failures send notifications; runs report their status", failure_notifications),
        Milestone("an end-to-end run of the DAG succeeded", end_to_end_run),
        Milestone("the run's row counts are recorded", run_numbers),
        Milestone("the run's metrics reached the Pushgateway", pushed_metrics),
    ),
)
