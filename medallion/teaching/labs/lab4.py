"""Lab 4 — Break it!: three faults, injected, observed and recovered from.

The participant writes no code: `make break SCENARIO=...` (medallion/faults/) injects a
fault, a run shows how the pipeline meets it, and the recovery of docs/resilience.md puts
things right. The milestones look for the evidence each step leaves behind — files in the
file quarantine, duplicate rows in the row quarantine, the catalogue API's request log,
Airflow's record of the runs — and check the recovery with lake_evidence.py's independent
recomputations. Every failing line names the next command.
"""

from __future__ import annotations

import csv
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from medallion.lake import file_quarantine_dir, landing_dir, partition_dir
from medallion.settings import load_settings
from medallion.teaching.airflow_runs import (
    AirflowStateUnavailable,
    DagRun,
    dag_runs,
    metadata_db,
    successful_runs,
    task_runs,
)
from medallion.teaching.checkpoints import parquet_rows
from medallion.teaching.checks import CheckResult, fail, ok
from medallion.teaching.labs.base import Lab, LabContext, Milestone
from medallion.teaching.labs.lake_evidence import (
    DATASET,
    current_order_count,
    duplicate_silver_keys,
    gold_disagrees_with_silver,
    quarantine_reasons,
    rows_by_source_file,
    unsettled,
)
from medallion.teaching.service_checks import airflow_home

DAG_ID = "ecommerce_daily"
BREAK = "`make break SCENARIO={}`, then run the date it names (`make run DATES=...`)"
# What the duplicate-delivery scenario writes next to the day's orders file.
ORIGINAL = "orders-part-00000.csv"
SECOND_COPY = "orders-part-00000-redelivered.csv"
OVERLAP = "orders-overlap.csv"
API_TASK = "bronze.extract_products_api"
# One request line of the catalogue API's log: "GET /v1/products?date=... HTTP/1.1" 503 -
API_CALL = re.compile(r'"GET /v1/products\?\S+ HTTP/[\d.]+" (\d{3})')


def _run_after(context: LabContext, ds: str, moment: datetime) -> DagRun | None:
    """The latest successful run of `ds`, if it finished after `moment`.

    (`make run` replaces a date's earlier run in Airflow's DB: its latest run is all there is.)
    """
    runs = successful_runs(metadata_db(context.home), DAG_ID, ds)
    return next((run for run in reversed(runs) if run.finished and run.finished > moment), None)


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


# --- A: corrupt-file ----------------------------------------------------------------


def _quarantined_files() -> list[dict]:
    """The reason recorded beside each file in the file quarantine, by table and date."""
    reasons = []
    for path in sorted(file_quarantine_dir(DATASET).glob("*/*/*.reason.json")):
        reason = json.loads(path.read_text(encoding="utf-8"))
        reasons.append({**reason, "table": path.parent.parent.name, "ds": path.parent.name})
    return reasons


def corrupt_files_caught(context: LabContext) -> CheckResult:
    reasons = _quarantined_files()
    if not reasons:
        return fail(
            "A",
            "scenario A not run yet: no file in the file quarantine",
            BREAK.format("corrupt-file") + ": that run fails, which is the point",
        )
    example = reasons[0]
    return ok(
        "A",
        f"{len(reasons)} unreadable file(s) moved to {file_quarantine_dir(DATASET)} with their "
        f"reason, e.g. {example['table']} {example['ds']} {example['file']}: {example['reason']}",
    )


def corrupt_files_recovered(context: LabContext) -> CheckResult:
    reasons = _quarantined_files()
    if not reasons:
        return fail("A", "scenario A not run yet", BREAK.format("corrupt-file"))
    ds = max(reason["ds"] for reason in reasons)
    quarantined_at = max(
        datetime.fromisoformat(reason["quarantined_at"]) for reason in reasons if reason["ds"] == ds
    )
    run = _run_after(context, ds, quarantined_at)
    if run is None:
        return fail(
            "A",
            f"{ds} has not run successfully since its files were quarantined "
            f"({quarantined_at:%H:%M} UTC)",
            f"the bad files are out of landing now: re-run the date, `make run DATES={ds}`",
        )
    problems = unsettled(ds) + gold_disagrees_with_silver()
    if problems:
        return fail("A", f"after the re-run of {ds}: {'; '.join(problems)}", f"make run DATES={ds}")
    return ok(
        "A",
        f"{ds} re-ran successfully at {run.finished:%H:%M} UTC: every landing record is in "
        f"bronze, silver + quarantine = bronze, and fct_orders equals the {current_order_count():,} "
        "current orders recomputed from silver",
    )


# --- B: duplicate-delivery ----------------------------------------------------------


def _duplicate_delivery() -> tuple[str, Path] | None:
    """The newest date whose orders landing holds the scenario's extra file, and the file."""
    orders = load_settings().landing_dir / DATASET / "orders"
    found = [path for name in (SECOND_COPY, OVERLAP) for path in orders.glob(f"*/{name}")]
    if not found:
        return None
    newest = max(found, key=lambda path: (path.parent.name, path.name == SECOND_COPY))
    return newest.parent.name, newest


def duplicates_quarantined(context: LabContext) -> CheckResult:
    delivery = _duplicate_delivery()
    if delivery is None:
        return fail(
            "B",
            "scenario B not run yet: no duplicate orders delivery in landing",
            BREAK.format("duplicate-delivery"),
        )
    ds, extra = delivery
    run = _run_after(context, ds, _mtime(extra))
    if run is None:
        return fail(
            "B",
            f"{extra.name} arrived in landing at {_mtime(extra):%H:%M} UTC and no run of {ds} "
            "has succeeded since",
            f"make run DATES={ds}",
        )
    duplicates = quarantine_reasons("orders", ds).get("duplicate_row", 0)
    # Every order of the day's file that reached silver had an exact twin in the second
    # copy, so at least that many rows must be in quarantine as duplicate_row.
    silver = rows_by_source_file("silver", "orders", ds)
    twins = silver.get(ORIGINAL, 0) + silver.get(SECOND_COPY, 0)
    if extra.name == SECOND_COPY and duplicates < twins:
        return fail(
            "B",
            f"{ds}: {twins:,} orders of {ORIGINAL} came twice, but only {duplicates:,} rows are "
            "in quarantine as duplicate_row",
            f"re-run the date: `make run DATES={ds}`, then `make checkpoint Q=bronze`",
        )
    return ok(
        "B",
        f"{ds}: {duplicates:,} order rows quarantined as duplicate_row; silver kept one of each "
        f"of the {twins:,} orders delivered twice ({ORIGINAL} and {SECOND_COPY})",
    )


def _records(path: Path) -> int:
    """CSV records of one landing file (0 if it is not there)."""
    if not path.exists():
        return 0
    with path.open(newline="", encoding="utf-8") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def no_duplicates_anywhere(context: LabContext) -> CheckResult:
    delivery = _duplicate_delivery()
    if delivery is None:
        return fail("B", "scenario B not run yet", BREAK.format("duplicate-delivery"))
    ds, _ = delivery
    problems = duplicate_silver_keys() + gold_disagrees_with_silver()
    if problems:
        return fail("B", "; ".join(problems), f"re-run the date: `make run DATES={ds}`")
    return ok(
        "B",
        "no key twice in any silver delivery; fct_orders holds each of the "
        f"{current_order_count():,} orders once, as silver's current version",
    )


# --- C: network-timeout -------------------------------------------------------------


def api_failed_then_answered(context: LabContext) -> CheckResult:
    log = airflow_home(os.environ, context.home) / "catalogue-api.log"
    if not log.exists():
        return fail(
            "C",
            "scenario C not run yet: the catalogue API has not run",
            BREAK.format("network-timeout"),
        )
    statuses = API_CALL.findall(log.read_text(encoding="utf-8", errors="replace"))
    failed = [status for status in statuses if status != "200"]
    answered = [status for status in statuses if status == "200"]
    if not answered:
        return fail(
            "C",
            f"the catalogue API has had {len(statuses)} product calls and answered none yet",
            "run the date `make break` named: `make run DATES=...` (the extract retries)",
        )
    if not failed:
        return fail(
            "C",
            "the catalogue API answered every call at once: the fault was not there",
            "break it again: `make break SCENARIO=network-timeout`, then `make run DATES=...`",
        )
    return ok(
        "C",
        f"the catalogue API failed {len(failed)} call(s) (HTTP {', '.join(sorted(set(failed)))}) "
        f"and then answered {len(answered)}: the extract retried ({log})",
    )


def api_run_succeeded(context: LabContext) -> CheckResult:
    try:
        database = metadata_db(context.home)
    except AirflowStateUnavailable as error:
        return fail("C", error.found, error.fix)
    with_api = [
        (run, task)
        for run in dag_runs(database, DAG_ID)
        for task in task_runs(database, DAG_ID, run.run_id)
        if task.task_id == API_TASK
    ]
    if not with_api:
        return fail(
            "C",
            f"no run has taken the products from the API yet (no task {API_TASK})",
            BREAK.format("network-timeout") + "; `make run` reads .airflow/faults.env",
        )
    run, task = with_api[-1]
    if run.state != "success":
        return fail(
            "C",
            f"the run of {run.ds} with products from the API is {run.state} ({API_TASK}: "
            f"{task.state}, try {task.try_number})",
            f"`make checkpoint Q=dag-run` shows its log; then `make run DATES={run.ds}`",
        )
    bronze = parquet_rows(partition_dir("bronze", DATASET, "products", run.ds)) or 0
    fetched = _records(landing_dir(DATASET, "products", run.ds) / "products-api.csv")
    if bronze != fetched:
        return fail(
            "C",
            f"{run.ds}: the API delivered {fetched:,} products but bronze holds {bronze:,}",
            f"make run DATES={run.ds}",
        )
    return ok(
        "C",
        f"the run of {run.ds} succeeded; {API_TASK} succeeded on try {task.try_number} and "
        f"all {fetched:,} products it fetched are in bronze",
    )


LAB = Lab(
    number=4,
    title="Break it!",
    student_files=(),
    milestones=(
        Milestone("A corrupt file: caught and quarantined with its reason", corrupt_files_caught),
        Milestone("A corrupt file: re-run, nothing lost, gold = silver", corrupt_files_recovered),
        Milestone("B duplicate delivery: the copies quarantined", duplicates_quarantined),
        Milestone("B duplicate delivery: no key twice in silver or gold", no_duplicates_anywhere),
        Milestone(
            "C network timeout: the API failed, the extract retried", api_failed_then_answered
        ),
        Milestone("C network timeout: the run succeeded with every product", api_run_succeeded),
    ),
    start_note=(
        "Lab 4 has no files to write: its starting point is a clean run of the pipeline "
        '(make generate DAYS=2 && make run DATES="2026-11-01 2026-11-02"), which this '
        "command leaves as it is."
    ),
)
