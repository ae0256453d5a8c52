"""The workshop's checkpoint questions, answered by one command each (`make checkpoint Q=...`).

    make checkpoint Q=bronze     "Show your Bronze table — how many records loaded?"
    make checkpoint Q=dbt-test   "Run dbt test — how many tests pass?"
    make checkpoint Q=dag-run    "Trigger your DAG — did it complete, what do the logs say?"

Each prints a short answer a lecturer can read over a shoulder and exits 1 when the answer
is "not yet" (nothing loaded, a test failing, the last run failed), so a script can ask too.
The counts are read from the data itself (DuckDB over the parquet files, dbt's own test
results, Airflow's metadata DB), not from what the pipeline logged.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from medallion.contracts import list_tables
from medallion.lake import candidate_dir, partition_dir, published_dates, unpublished_candidates
from medallion.settings import load_settings
from medallion.teaching.airflow_runs import (
    AirflowStateUnavailable,
    dag_runs,
    metadata_db,
    task_runs,
)
from medallion.teaching.service_checks import airflow_home

LOG_LINES = 15
LINE_WIDTH = 220  # Airflow log lines carry long metadata after the message
QUIET_STATES = ("success", "none", "scheduled", "queued")


def parquet_rows(folder: Path) -> int | None:
    """Rows of the parquet files in a partition folder; None if there is no such folder."""
    if not folder.is_dir():
        return None
    if not any(folder.glob("*.parquet")):
        return 0
    import duckdb

    with duckdb.connect() as con:
        query = "select count(*) from read_parquet(?)"
        return con.execute(query, [str(folder / "*.parquet")]).fetchone()[0]


def bronze_counts(dataset: str) -> list[dict]:
    """Per table and published bronze date: the rows in bronze, silver and quarantine."""
    counts = []
    for table in list_tables(dataset):
        for ds in published_dates("bronze", dataset, table):
            rows = {
                layer: parquet_rows(partition_dir(layer, dataset, table, ds))
                for layer in ("bronze", "silver", "quarantine")
            }
            counts.append({"table": table, "ds": ds, **rows})
    return counts


def show_unpublished(dataset: str) -> None:
    """Name the partitions written but kept from readers (write - audit - publish)."""
    waiting = unpublished_candidates(dataset, list_tables(dataset))
    if waiting:
        print(
            "Written but not published (their gate failed or has not run; readers do not see them):"
        )
    for layer, table, ds in waiting:
        print(f"  {layer}.{table} {ds}: {candidate_dir(layer, dataset, table, ds)}")


def show_bronze(dataset: str) -> int:
    show_unpublished(dataset)
    counts = bronze_counts(dataset)
    if not counts:
        print(f"No published bronze partition of {dataset} yet: run a date (make run DATES=...).")
        return 1
    print(f"Bronze of {dataset}: records loaded per table and delivery date")
    print(f"  {'table':<12} {'date':<10} {'bronze':>9} {'silver':>9} {'quarantine':>10}  check")
    unsettled = 0
    for row in counts:
        silver, quarantine = row["silver"], row["quarantine"] or 0
        if silver is None:
            check, silver_text = "not refined yet", "-"
        else:
            balanced = silver + quarantine == row["bronze"]
            check = "silver + quarantine = bronze" if balanced else "ROWS MISSING"
            silver_text = f"{silver:,}"
        unsettled += check != "silver + quarantine = bronze"
        print(
            f"  {row['table']:<12} {row['ds']:<10} {row['bronze']:>9,} {silver_text:>9} "
            f"{quarantine:>10,}  {check}"
        )
    total = sum(row["bronze"] for row in counts)
    print(f"  {'total':<23} {total:>9,}")
    if unsettled:
        print(f"{unsettled} partition(s) not settled: run their dates (make run DATES=...).")
    return 1 if unsettled else 0


def show_dbt_test(dataset: str) -> int:
    from medallion.gold import dbt_run_dirs, invoke_dbt

    settings = load_settings()
    warehouse = settings.warehouse_dir / f"{dataset}.duckdb"
    if not warehouse.exists():
        print(f"No warehouse at {warehouse} yet: build gold first (make run DATES=...).")
        return 1
    print(f"dbt test of the {dataset} models (what `dbt test --select path:models/{dataset}` runs)")
    outcome = invoke_dbt("test", settings, dataset)
    if outcome.exception is not None:
        print(f"dbt test did not run: {outcome.exception}")
        return 1
    results = list(outcome.result.results)
    by_status: dict[str, list[str]] = {}
    for result in results:
        by_status.setdefault(str(result.status), []).append(result.node.name)
    for status in ("fail", "error", "warn"):
        for name in by_status.get(status, []):
            print(f"  {status.upper():<5} {name}")
    passed = len(by_status.get("pass", []))
    others = ", ".join(f"{len(names)} {status}" for status, names in sorted(by_status.items()))
    print(f"{passed} of {len(results)} tests pass ({others})")
    print(f"full log: {dbt_run_dirs(settings, dataset)[1] / 'dbt.log'}")
    return 0 if not by_status.get("fail") and not by_status.get("error") else 1


def run_log_tail(project_home: Path, dag_id: str, ds: str, run_id: str, task: str) -> list[str]:
    """The last lines of the log that tells most about a run, and its path first.

    A run from the UI has a log file per task try; a `make run` writes one file per date.
    """
    home = airflow_home(os.environ, project_home)
    tries = sorted(
        (home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}").glob(
            f"task_id={task}/attempt=*.log"
        )
    )
    path = tries[-1] if tries else home / f"dags-test-{ds}.log"
    if not path.exists():
        return [f"(no log found for this run: looked for {path})"]
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    if not tries and "run summary" in "\n".join(lines) and task == "publish_run_summary":
        start = max(i for i, line in enumerate(lines) if "run summary" in line)
        return [f"log: {path} (the run summary)", *lines[start : start + 12]]
    if not tries:
        errors = [line for line in lines if "[error" in line or "Error" in line]
        if errors:
            return [f"log: {path} (its error lines)", *errors[-LOG_LINES:]]
    return [f"log: {path} (last {LOG_LINES} lines)", *lines[-LOG_LINES:]]


def show_dag_run(dag_id: str) -> int:
    home = load_settings().home
    try:
        database = metadata_db(home)
    except AirflowStateUnavailable as error:
        print(f"{error.found}: {error.fix}.")
        return 1
    runs = dag_runs(database, dag_id)
    if not runs:
        print(f"{dag_id} has not run yet: make run DATES=2026-11-01 (or trigger it in the UI).")
        return 1
    run = runs[-1]
    finished = f", finished {run.finished:%Y-%m-%d %H:%M} UTC" if run.finished else ""
    print(f"{dag_id}, last run: {run.ds} ({run.run_type}, {run.run_id}): {run.state}{finished}")
    tasks = task_runs(database, dag_id, run.run_id)
    states: dict[str, int] = {}
    for task in tasks:
        states[task.state] = states.get(task.state, 0) + 1
    print("  tasks: " + ", ".join(f"{count} {state}" for state, count in sorted(states.items())))
    for task in tasks:
        # Tasks that did not simply succeed; those not started yet are only counted above.
        if task.state not in QUIET_STATES or task.try_number > 1:
            print(
                f"  {task.task_id:<34} {task.state:<16} try {task.try_number} of {task.max_tries + 1}"
            )
    failed = [task.task_id for task in tasks if task.state == "failed"]
    for line in run_log_tail(
        home, dag_id, run.ds, run.run_id, (failed or ["publish_run_summary"])[0]
    ):
        print(f"  {line[:LINE_WIDTH]}")
    return 0 if run.state == "success" else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m medallion.teaching.checkpoints")
    parser.add_argument("question", choices=["bronze", "dbt-test", "dag-run"])
    parser.add_argument("--dataset", default="ecommerce")
    parser.add_argument("--dag", help="the DAG of dag-run (default: <dataset>_daily)")
    args = parser.parse_args(argv)
    if args.question == "bronze":
        return show_bronze(args.dataset)
    if args.question == "dbt-test":
        return show_dbt_test(args.dataset)
    return show_dag_run(args.dag or f"{args.dataset}_daily")


if __name__ == "__main__":
    sys.exit(main())
