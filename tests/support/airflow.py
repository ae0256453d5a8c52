"""Run whole DAGs through Airflow in an isolated Airflow home, as `make run` does."""

from __future__ import annotations

import os
import subprocess
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
        self.env = {
            **inherited,
            "AIRFLOW_HOME": str(airflow_home),
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
