"""Run whole DAGs through Airflow, the way `make run` does, in an isolated Airflow home.

Each test session gets its own Airflow metadata DB (SQLite, migrated once) and its own
data folder, so the integration tests never touch a user's `.airflow/` or `data/`.
They need the environment `make test` exports (Java, the spark_default connection).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


class AirflowRunner:
    """`airflow dags test` against one Airflow home and one data folder."""

    def __init__(self, airflow_home: Path, data_dir: Path):
        self.airflow_home = airflow_home
        self.data_dir = data_dir
        self.env = {
            **os.environ,
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "airflow" / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "MEDALLION_DATA_DIR": str(data_dir),
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


@pytest.fixture(scope="session")
def airflow_runner(tmp_path_factory) -> AirflowRunner:
    if "AIRFLOW_CONN_SPARK_DEFAULT" not in os.environ:
        message = "integration tests need the embedded environment: run them with `make test`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("integration")
    runner = AirflowRunner(root / "airflow_home", root / "data")
    runner.airflow_home.mkdir()
    runner.data_dir.mkdir()
    runner.airflow("db", "migrate")
    return runner
