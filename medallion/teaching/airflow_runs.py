"""What Airflow remembers about a DAG's runs, read from its metadata DB.

`make run` (`airflow dags test`) and the UI both record every run in the metadata DB of
`$AIRFLOW_HOME` (SQLite in the embedded setup): one `dag_run` row per run, with its
logical date and state, and one `task_instance` row per task, with its state, how often
it was tried (`try_number`) and how often it may be retried (`max_tries`). The lab checks
and `make checkpoint Q=dag-run` read those rows directly, read-only, so they work while
Airflow runs and never change what the UI shows.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from medallion.teaching.service_checks import airflow_home, sqlite_database


class AirflowStateUnavailable(RuntimeError):
    """The metadata DB cannot be read here: `found` says why, `fix` what to do."""

    def __init__(self, found: str, fix: str):
        super().__init__(f"{found}; {fix}")
        self.found, self.fix = found, fix


@dataclass(frozen=True)
class DagRun:
    run_id: str
    ds: str  # the logical date, YYYY-MM-DD: the delivery date the run processed
    state: str
    run_type: str
    end_date: str  # when it finished (UTC, as Airflow stores it), "" while it runs

    @property
    def finished(self) -> datetime | None:
        """When the run finished, in UTC (None while it runs)."""
        if not self.end_date:
            return None
        return datetime.fromisoformat(self.end_date).replace(tzinfo=UTC)


@dataclass(frozen=True)
class TaskRun:
    task_id: str
    state: str
    try_number: int  # the try Airflow is on: 1 = it ran once
    max_tries: int  # the retries it was given (default_args["retries"])


def metadata_db(project_home: Path) -> Path:
    """The SQLite file of the Airflow home `make` uses; raise if there is none."""
    home = airflow_home(os.environ, project_home)
    database = sqlite_database(os.environ, home)
    if database is None:
        raise AirflowStateUnavailable(
            "Airflow's metadata DB is not SQLite here (AIRFLOW__DATABASE__SQL_ALCHEMY_CONN)",
            "look at the runs in the Airflow UI instead",
        )
    if not database.exists():
        raise AirflowStateUnavailable(f"no Airflow metadata DB at {database}", "run `make setup`")
    return database


def _query(database: Path, sql: str, parameters: list) -> list[tuple]:
    # mode=ro: reading never creates or locks the file Airflow writes to.
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)) as db:
        return db.execute(sql, parameters).fetchall()


def dag_runs(database: Path, dag_id: str) -> list[DagRun]:
    """Every run of the DAG, oldest first (by when it was created)."""
    rows = _query(
        database,
        "select run_id, logical_date, state, run_type, end_date from dag_run "
        "where dag_id = ? order by id",
        [dag_id],
    )
    return [
        DagRun(run_id, str(logical or "")[:10], state or "", run_type or "", str(end or ""))
        for run_id, logical, state, run_type, end in rows
    ]


def task_runs(database: Path, dag_id: str, run_id: str) -> list[TaskRun]:
    """The task instances of one run, by task id."""
    rows = _query(
        database,
        "select task_id, state, try_number, max_tries from task_instance "
        "where dag_id = ? and run_id = ? order by task_id",
        [dag_id, run_id],
    )
    return [
        TaskRun(task, state or "none", tries or 0, most or 0) for task, state, tries, most in rows
    ]


def successful_runs(database: Path, dag_id: str, ds: str | None = None) -> list[DagRun]:
    """Runs that succeeded (of one date, if given), oldest first."""
    return [
        run
        for run in dag_runs(database, dag_id)
        if run.state == "success" and (ds is None or run.ds == ds)
    ]
