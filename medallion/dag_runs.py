"""`make run`: run a dataset's DAG once per date with `airflow dags test`.

    python -m medallion.dag_runs --dataset ecommerce --start 2026-11-01 --days 3
    python -m medallion.dag_runs --dataset ecommerce --dates "2026-11-02 2026-11-03"

Which DAG and which dates:
- sensors deliver hourly: `--hours` runs from `--start` 00:00 UTC, by sensors_hourly;
- ecommerce and attendance deliver daily: `--start` and the `--days`-1 days after it;
- a dataset of your own (make new-dataset) runs the dates its landing folder holds;
- `--dates` names them instead.

`airflow dags test` records a run's start as its logical date, so the Airflow UI would
show the run of 2026-11-02 as lasting a month ("33d 10h") and squash its bars. After each
run, its start is set to its first task's start, and a note on the run (shown in the UI
beside the run) says that it was run by `make run`, tasks one after another in one
process: see `record_real_start`.

Every value is checked before anything runs: they come from make's command line, and a
date goes into a command. Each run's whole output is kept in `$AIRFLOW_HOME/dags-test-<ds>.log`;
when a run fails, its failed tasks' own errors are printed first (the last lines of the
output are usually other tasks succeeding), then where the full log is.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from medallion.settings import load_settings

DATASET_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")
GENERATED = {"ecommerce": "ecommerce_daily", "attendance": "attendance_daily"}
# How `airflow dags test` (Airflow 3.3) marks the parts of its output that matter here: a
# task starting, a try failing (the traceback follows; its last line is the exception).
TASK_STARTS = re.compile(r"\[DAG TEST\] starting task_id=(\S+)")
TRY_FAILED = "Task failed with exception"
LOG_LINE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\S+ \[")
# `airflow.sdk.exceptions.AirflowFailException: CorruptFileError: ...` -> the class, the rest.
EXCEPTION = re.compile(r"(?:[\w.]+\.)?(\w+): (.*)")


def dag_id_of(dataset: str) -> str:
    if not DATASET_NAME.fullmatch(dataset):
        raise ValueError(f"DATASET={dataset!r}: lower-case letters, digits and _ only")
    return "sensors_hourly" if dataset == "sensors" else f"{dataset}_daily"


def parse_date(text: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"{text!r} is not a date: give YYYY-MM-DD")
    return date.fromisoformat(text)


def dates_to_run(dataset: str, start: str, days: int, hours: int, dates: str) -> list[str]:
    """The logical dates to run, each checked (ValueError names the bad one)."""
    if dates.strip():
        chosen = dates.split()
        for text in chosen:
            if dataset == "sensors":
                datetime.fromisoformat(text)  # an hour such as 2026-11-01T05:00:00+00:00
                if not re.fullmatch(r"[\d:T+-]+", text):
                    raise ValueError(f"{text!r} is not a date and hour")
            else:
                parse_date(text)
        return chosen
    first = parse_date(start)
    if dataset == "sensors":
        midnight = datetime(first.year, first.month, first.day)
        hours_run = (midnight + timedelta(hours=hour) for hour in range(hours))
        return [moment.strftime("%Y-%m-%dT%H:00:00+00:00") for moment in hours_run]
    if dataset in GENERATED:
        return [str(first + timedelta(days=day)) for day in range(days)]
    landing = load_settings().landing_dir / dataset
    return sorted({path.name for path in landing.glob("*/????-??-??") if path.is_dir()})


def failed_task_errors(output: str) -> dict[str, str]:
    """{task id: the exception its last failed try raised}, in the order tasks ran.

    The exception keeps every line of its message: a gate's names each failed check and
    ends by saying what readers still see.
    """
    errors: dict[str, str] = {}
    task, traceback = "?", None
    for line in output.splitlines():
        if traceback is not None and LOG_LINE.match(line):
            if (error := last_exception(traceback)) is not None:
                errors[task] = error
            traceback = None
        if started := TASK_STARTS.search(line):
            task = started[1]
        elif TRY_FAILED in line:
            traceback = []
        elif traceback is not None and line.strip():
            traceback.append(line.rstrip())
    return errors


def last_exception(traceback: list[str]) -> str | None:
    """The last exception of a printed traceback with its whole message, or None.

    An exception's first line starts at the left margin (frames are indented); the
    lines after it, up to the end, are the rest of its message. An AirflowFailException
    is reported by what it wraps: its message starts with the original exception's name.
    """
    starts = [
        number
        for number, line in enumerate(traceback)
        if not line.startswith(" ") and EXCEPTION.fullmatch(line)
    ]
    if not starts:
        return None
    name, message = EXCEPTION.fullmatch(traceback[starts[-1]]).groups()
    rest = traceback[starts[-1] + 1 :]
    first = message if name == "AirflowFailException" else f"{name}: {message}"
    return "\n".join([first, *rest])


def run_date(dag_id: str, ds: str, airflow_home: Path) -> bool:
    """One `airflow dags test`; print the summary or the failed tasks' errors."""
    print(f"=== {dag_id} {ds} ===", flush=True)
    log = airflow_home / f"dags-test-{ds}.log"
    result = subprocess.run(
        ["airflow", "dags", "test", dag_id, ds], capture_output=True, text=True, check=False
    )
    output = result.stdout + result.stderr
    log.write_text(output, encoding="utf-8")
    if result.returncode == 0:
        summary = (
            output[output.find("run summary") :].splitlines()[:12]
            if "run summary" in output
            else []
        )
        print("\n".join(line for line in summary if not line.startswith("[")))
        return True
    errors = failed_task_errors(output)
    if errors:
        print(f"The run of {ds} failed. What the failed task(s) said:")
        for task, error in errors.items():
            print(f"\n  {task}")
            print("\n".join(f"    {line}" for line in error.splitlines()))
        print()
    else:
        print("\n".join(output.splitlines()[-40:]))
    print(f"run failed: full log in {log}")
    return False


RUN_NOTE = (
    "Run by `make run` (`airflow dags test`: every task in one process, one after another). "
    "Airflow records such a run's start as its logical date; it was set to the first "
    "task's start, so the duration shown is the real one."
)


def record_real_start(dag_id: str) -> str | None:
    """Give the latest `airflow dags test` run of a DAG its real start, and a note saying
    so. Returns what was changed, or None when there was no such run."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from airflow.utils.types import DagRunTriggeredByType
    from sqlalchemy import func, select

    with create_session() as session:
        run = session.scalars(
            select(DagRun)
            .where(DagRun.dag_id == dag_id, DagRun.triggered_by == DagRunTriggeredByType.TEST)
            .order_by(DagRun.id.desc())
            .limit(1)
        ).first()
        if run is None:
            return None
        first_task_start = session.scalar(
            select(func.min(TaskInstance.start_date)).where(
                TaskInstance.dag_id == dag_id, TaskInstance.run_id == run.run_id
            )
        )
        if first_task_start is None:
            return None
        changed = f"{run.run_id}: start {run.start_date} -> {first_task_start}"
        run.start_date, run.note = first_task_start, RUN_NOTE
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--start", default="2026-11-01")
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--hours", type=int, default=6)
    parser.add_argument("--dates", default="", help="space-separated dates to run instead")
    args = parser.parse_args(argv)
    try:
        dag_id = dag_id_of(args.dataset)
        dates = dates_to_run(args.dataset, args.start, args.days, args.hours, args.dates)
    except ValueError as error:
        print(f"make run: {error}", file=sys.stderr)
        return 2
    if not dates:
        print(f"no dates to run for {args.dataset}: generate data or give DATES=...")
        return 2
    airflow_home = Path(os.environ["AIRFLOW_HOME"])
    for ds in dates:
        succeeded = run_date(dag_id, ds, airflow_home)
        record_real_start(dag_id)
        if not succeeded:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
