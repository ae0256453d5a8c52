"""Run whole DAGs through Airflow in an isolated Airflow home, as `make run` does."""

from __future__ import annotations

import functools
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path

import pendulum

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

    def migrate(self) -> None:
        """Give this Airflow home a migrated metadata DB, as `airflow db migrate` would.

        The suite migrates once and copies that empty SQLite file into every further home:
        the same schema, without paying the migration's 5-15 s again.
        """
        self.airflow_home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_migrated_metadata_db(), self.airflow_home / "airflow.db")

    def run_dag(self, dag_id: str, ds: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.airflow("dags", "test", dag_id, ds, check=check)

    def task_states(self, dag_id: str, ds: str) -> dict[str, str]:
        """The state of every task of the DAG's run for `ds`, by task id.

        Read from the SQLite metadata DB (what `airflow tasks states-for-dag-run` shows),
        which saves two Airflow CLI start-ups per call.
        """
        query = (
            "select task_instance.task_id, task_instance.state from task_instance"
            " join dag_run on dag_run.dag_id = task_instance.dag_id"
            " and dag_run.run_id = task_instance.run_id"
            " where dag_run.dag_id = ? and substr(dag_run.logical_date, 1, 19) = ?"
        )
        logical_date = pendulum.parse(ds).in_timezone("UTC").format("YYYY-MM-DD HH:mm:ss")
        with closing(sqlite3.connect(self.airflow_home / "airflow.db")) as db:
            rows = db.execute(query, [dag_id, logical_date]).fetchall()
        assert rows, f"no run of {dag_id} for {ds} in {self.airflow_home / 'airflow.db'}"
        return dict(rows)

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


@functools.cache
def _migrated_metadata_db() -> Path:
    """An empty metadata DB migrated by this venv's Airflow, made once per test process."""
    home = Path(tempfile.mkdtemp(prefix="medallion-airflow-db-"))
    environment = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    environment.pop("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", None)
    migrated = subprocess.run(
        ["airflow", "db", "migrate"], env=environment, capture_output=True, text=True, timeout=300
    )
    assert migrated.returncode == 0, migrated.stdout[-3000:] + migrated.stderr[-3000:]
    return home / "airflow.db"


def _dag_run(event: dict) -> dict:
    """The Airflow DAG run an OpenLineage event belongs to: a task's event carries it in
    the `airflow` run facet, the DAG run's own event in `airflowDagRun`."""
    facets = event["run"]["facets"]
    return (facets.get("airflow") or facets.get("airflowDagRun") or {}).get("dagRun", {})
