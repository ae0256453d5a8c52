"""Run whole DAGs through Airflow in an isolated Airflow home, as `make run` does."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Delivery dates the shared whole-DAG run (the `ecommerce_run` fixture) generates and runs.
ECOMMERCE_DATES = ["2026-11-01", "2026-11-02"]


class AirflowRunner:
    """`airflow dags test` (which is `dag.test()`) against one Airflow home and data folder."""

    def __init__(self, airflow_home: Path, data_dir: Path, extra_env: dict[str, str] | None = None):
        self.airflow_home = airflow_home
        self.data_dir = data_dir
        # Where Spark runs is the spark_default connection's business only: drop the flags
        # an earlier Spark Connect session in this test process may have left behind.
        inherited = {
            key: value
            for key, value in os.environ.items()
            if key not in ("SPARK_CONNECT_MODE_ENABLED", "SPARK_REMOTE", "SPARK_LOCAL_REMOTE")
        }
        # OpenLineage events go to a file of this Airflow home, when a test turns them on
        # (`ecommerce_run` does for its runs): off, no run pays for sending them.
        self.lineage_file = airflow_home / "openlineage-events.jsonl"
        transport = {"type": "file", "log_file_path": str(self.lineage_file), "append": True}
        self.env = {
            **inherited,
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__OPENLINEAGE__DISABLED": "true",
            "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(transport),
            "AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD": "true",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "airflow" / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "MEDALLION_DATA_DIR": str(data_dir),
            **(extra_env or {}),
        }

    def airflow(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            ["airflow", *args], env=self.env, capture_output=True, text=True, timeout=900
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"airflow {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def run_dag(self, dag_id: str, ds: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.airflow("dags", "test", dag_id, ds, check=check)

    def task_states(self, dag_id: str, ds: str) -> dict[str, str]:
        """The state of every task of the DAG's run for `ds`, by task id."""
        runs = _json_output(self.airflow("dags", "list-runs", dag_id, "-o", "json").stdout)
        [run] = [run for run in runs if str(run.get("logical_date", "")).startswith(ds)]
        states = _json_output(
            self.airflow("tasks", "states-for-dag-run", dag_id, run["run_id"], "-o", "json").stdout
        )
        return {state["task_id"]: state["state"] for state in states}

    def lineage_events(self, dag_id: str, ds: str) -> list[dict]:
        """The OpenLineage events of the DAG's first run for `ds`, in the order sent."""
        events = [json.loads(line) for line in self.lineage_file.read_text().splitlines()]
        runs = [(event, _dag_run(event)) for event in events]
        of_date = [
            (event, run)
            for event, run in runs
            if run.get("dag_id") == dag_id and run.get("logical_date", "").startswith(ds)
        ]
        if not of_date:
            return []
        first = of_date[0][1]["run_id"]
        return [event for event, run in of_date if run["run_id"] == first]

    def task_ids(self, dag_id: str, run_id: str) -> list[str]:
        """The tasks of one DAG run, from the SQLite metadata DB (no CLI start-up)."""
        query = "select task_id from task_instance where dag_id = ? and run_id = ? order by 1"
        with closing(sqlite3.connect(self.airflow_home / "airflow.db")) as db:
            return [task_id for (task_id,) in db.execute(query, [dag_id, run_id]).fetchall()]

    def try_numbers(self, dag_id: str) -> dict[str, int]:
        """How often each task of the DAG was tried, from the SQLite metadata DB."""
        query = "select task_id, max(try_number) from task_instance where dag_id = ? group by 1"
        with closing(sqlite3.connect(self.airflow_home / "airflow.db")) as db:
            return dict(db.execute(query, [dag_id]).fetchall())


def _dag_run(event: dict) -> dict:
    """The Airflow DAG run an OpenLineage event belongs to: a task's event carries it in
    the `airflow` run facet, the DAG run's own event in `airflowDagRun`."""
    facets = event["run"]["facets"]
    return (facets.get("airflow") or facets.get("airflowDagRun") or {}).get("dagRun", {})


def _json_output(text: str):
    """The JSON document in a CLI's output (Airflow may print warnings before it)."""
    return json.loads(next(line for line in text.splitlines() if line.startswith(("[", "{"))))
