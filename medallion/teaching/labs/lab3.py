"""Lab 3 — Orchestrate & Monitor: the schedule, retries and alerts of ecommerce_daily.

The participant writes the orchestration of airflow/dags/ecommerce_daily.py (the starter
copy runs by hand but has no schedule, no retries and no callbacks), runs the DAG end to
end and finds its numbers and metrics. The DAG checks ask a real Airflow DagBag
(dag_facts.py); the run checks read Airflow's metadata DB (airflow_runs.py), the lake's
commit markers and the Pushgateway.
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
from medallion.teaching.labs.dag_facts import parse_dag

DAG_ID = "ecommerce_daily"
DAG_FILE = "airflow/dags/ecommerce_daily.py"
DATASET = "ecommerce"
RETRIES = 3
FIRST_DATE = "2026-11-01"  # the first date `make generate` writes (START in the Makefile)
RUN_IT = f"run one date end to end: `make run DATES={FIRST_DATE}`"
NOTIFY = "monitoring.notifications."
TASK_CALLBACKS = {
    "on_failure": NOTIFY + "notify_task_failure",
    "on_success": NOTIFY + "record_task_success",
}
DAG_CALLBACKS = {
    "on_failure": NOTIFY + "record_run_failure",
    "on_success": NOTIFY + "notify_run_success",
}
DAILY_ALIASES = ("@daily", "@midnight")


def _parsed_dag(context: LabContext) -> dict | None:
    return parse_dag(context.home / DAG_FILE, DAG_ID)["dag"]


def _not_parsed() -> CheckResult:
    return fail("dag", f"Airflow cannot load {DAG_ID} (see milestone 1)", "fix milestone 1 first")


def dag_parses(context: LabContext) -> CheckResult:
    facts = parse_dag(context.home / DAG_FILE, DAG_ID)
    if facts["errors"]:
        error = next(iter(facts["errors"].values())).strip().splitlines()[-1]
        return fail(
            "parse",
            f"Airflow cannot import {DAG_FILE}: {error}",
            f"`python {DAG_FILE}` prints the whole error with its line number; fix that line",
        )
    if facts["dag"] is None:
        return fail(
            "parse",
            f"{DAG_FILE} imports, but defines no DAG with dag_id {DAG_ID!r}",
            "keep @dag(dag_id='ecommerce_daily', ...) and the call ecommerce_daily() at the end",
        )
    return ok("parse", f"a DagBag loads {DAG_ID} with {len(facts['dag']['tasks'])} tasks")


def is_daily(expression: str) -> bool:
    """A cron expression that fires once a day: a fixed minute and hour, `*` elsewhere."""
    if expression in DAILY_ALIASES:
        return True
    fields = expression.split()
    return (
        len(fields) == 5 and fields[0].isdigit() and fields[1].isdigit() and fields[2:] == ["*"] * 3
    )


def schedule_is_daily(context: LabContext) -> CheckResult:
    dag = _parsed_dag(context)
    if dag is None:
        return _not_parsed()
    timetable, expression = dag["timetable"], dag["expression"]
    set_it = 'schedule=CronDataIntervalTimetable("0 6 * * *", timezone="UTC") in @dag(...)'
    if expression is None:
        found = "schedule=None: it runs only when someone triggers it"
        if timetable != "NullTimetable":
            found = f"the schedule is a {timetable}, not a cron expression"
        return fail("schedule", found, f"set {set_it}")
    if not is_daily(expression):
        return fail(
            "schedule",
            f"the cron expression {expression!r} does not fire once a day",
            "a daily cron has a fixed minute and hour and * in the other three fields: "
            '"0 6 * * *" is every day at 06:00',
        )
    if timetable != "CronDataIntervalTimetable":
        return fail(
            "schedule",
            f"{expression!r} fires daily, but as a {timetable}: each run's ds would be the "
            "day it starts, not the day before whose deliveries it must process",
            f"wrap the expression: {set_it} (a plain cron string gives a CronTriggerTimetable)",
        )
    return ok(
        "schedule",
        f"CronDataIntervalTimetable({expression!r}, {dag['timezone']}): one run a day, "
        "each for the day before",
    )


def retries_with_backoff(context: LabContext) -> CheckResult:
    dag = _parsed_dag(context)
    if dag is None:
        return _not_parsed()
    tasks = dag["tasks"]
    problems = []
    for what, missing in [
        (f"fewer than {RETRIES} retries", [t for t, f in tasks.items() if f["retries"] < RETRIES]),
        ("no exponential backoff", [t for t, f in tasks.items() if not f["backoff"]]),
        ("no max_retry_delay", [t for t, f in tasks.items() if f["max_retry_delay"] is None]),
    ]:
        if missing:
            problems.append(f"{len(missing)} of {len(tasks)} tasks have {what} (e.g. {missing[0]})")
    if problems:
        return fail(
            "retries",
            "; ".join(problems),
            'in default_args: "retries": 3, "retry_delay": timedelta(seconds=20), '
            '"retry_exponential_backoff": True, "max_retry_delay": timedelta(minutes=10)',
        )
    longest = max(facts["max_retry_delay"] for facts in tasks.values())
    return ok(
        "retries",
        f"all {len(tasks)} tasks: {RETRIES}+ retries, exponential backoff, at most "
        f"{longest:.0f} s between tries",
    )


def failure_notifications(context: LabContext) -> CheckResult:
    dag = _parsed_dag(context)
    if dag is None:
        return _not_parsed()
    tasks = dag["tasks"]
    problems, fixes = [], []
    for event, callback in TASK_CALLBACKS.items():
        missing = [task for task, facts in tasks.items() if callback not in facts[event]]
        if missing:
            short = callback.rsplit(".", 1)[1]
            problems.append(f"{len(missing)} of {len(tasks)} tasks lack {event} {short}")
    if problems:
        fixes.append("add **TASK_CALLBACKS to default_args")
    for event, callback in DAG_CALLBACKS.items():
        if callback not in dag[event]:
            problems.append(f"the DAG lacks {event} {callback.rsplit('.', 1)[1]}")
    if len(fixes) < len(problems):
        fixes.append("add **DAG_CALLBACKS to @dag(...)")
    if problems:
        return fail(
            "notifications",
            "; ".join(problems),
            " and ".join(fixes)
            + " (from monitoring.notifications import DAG_CALLBACKS, TASK_CALLBACKS)",
        )
    return ok(
        "notifications",
        "a task that fails for good sends a webhook message and an e-mail; every run pushes "
        "its status",
    )


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
