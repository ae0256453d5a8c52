"""The compose lab's roles as local processes on loopback, for the compose-equivalent run.

| compose service        | here                                                        |
|------------------------|-------------------------------------------------------------|
| airflow-db             | a fresh database on the test run's own PostgreSQL server    |
| airflow-init           | `airflow db migrate` + the admin password file              |
| airflow-api-server, -scheduler, -dag-processor, -triggerer | the same commands, LocalExecutor |
| spark-master, spark-worker | `spark-class ...Master` / `...Worker` from the pyspark package |
| spark-connect          | the Spark Connect server submitting to that master          |

Airflow's environment is the one docker/docker-compose.yml gives the laptop profile's
`airflow` service, as Docker Compose resolves it (`compose_airflow_environment()`); only
what names a container (the database, the Spark engine, the password file, the API's
address) points at this test's own processes instead. The memory sampler reports the
most memory (RSS) the processes held together.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import psutil
import requests
from compose_tools import ENV_EXAMPLE, compose
from support.lab_processes import (
    LabProcess,
    free_port,
    spark_connect_command,
    spark_env,
    spark_home,
)

from medallion.env_file import SECRET_GENERATORS, render_env

REPO = Path(__file__).resolve().parents[2]
ADMIN = "admin"
# Connections to services this lab does not run (alerts go nowhere here).
NOT_HERE = ("AIRFLOW_CONN_ALERT_WEBHOOK", "AIRFLOW_CONN_SMTP_DEFAULT", "MEDALLION_ALERT_EMAIL")


def compose_airflow_environment(env_dir: Path) -> dict[str, str]:
    """The `airflow` service's environment from `docker compose config` (profile laptop),
    with the secrets a fresh `make env` would write."""
    env_file = env_dir / ".env"
    env_file.write_text(render_env(ENV_EXAMPLE.read_text(encoding="utf-8")))
    result = compose(env_file, "config", "--format", "json", profiles=("laptop",))
    assert result.returncode == 0, result.stderr
    environment = json.loads(result.stdout)["services"]["airflow"]["environment"]
    return {k: str(v).replace("$$", "$") for k, v in environment.items() if k not in NOT_HERE}


class LocalLab:
    """Start with `start()`, stop with `stop()`; `api_url`, `password`, `data_dir`."""

    def __init__(self, root: Path, database_url: str, dags_folder: Path):
        self.root = root
        self.data_dir = root / "data"
        self.logs = root / "logs"
        self.api_port, self.master_port, self.connect_port = free_port(), free_port(), free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.processes: list[LabProcess] = []
        self.memory_peaks: dict[str, int] = {}
        self.total_peak = 0
        self._sampling = threading.Event()
        for folder in (self.data_dir, self.logs, root / "airflow_home", root / "spark-work"):
            folder.mkdir(parents=True, exist_ok=True)
        self.env = self._airflow_env(database_url, dags_folder)

    def _airflow_env(self, database_url: str, dags_folder: Path) -> dict[str, str]:
        compose_env = compose_airflow_environment(self.root)
        self.password = SECRET_GENERATORS["AIRFLOW_ADMIN_PASSWORD"]()
        passwords = self.root / "passwords.json"
        passwords.write_text(json.dumps({ADMIN: self.password}))
        connect = {
            "conn_type": "spark_connect",
            "host": "sc://127.0.0.1",
            "port": self.connect_port,
        }
        return {
            **os.environ,
            **compose_env,
            # where the compose file names containers and folders of the image
            "AIRFLOW_HOME": str(self.root / "airflow_home"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database_url,
            "AIRFLOW_CONN_SPARK_DEFAULT": json.dumps(connect),
            "MEDALLION_DATA_DIR": str(self.data_dir),
        }

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> LabProcess:
        process = LabProcess(name, command, env, self.logs).start()
        self.processes.append(process)
        return process

    def start(self) -> None:
        migrate = subprocess.run(
            ["airflow", "db", "migrate"], env=self.env, capture_output=True, text=True, timeout=300
        )
        assert migrate.returncode == 0, migrate.stdout[-3000:] + migrate.stderr[-3000:]
        threading.Thread(target=self._sample_memory, daemon=True).start()
        self._start_spark()
        for role in ("scheduler", "dag-processor", "triggerer"):
            self._spawn(f"airflow-{role}", ["airflow", role], self.env)
        api = self._spawn(
            "airflow-api-server",
            ["airflow", "api-server", "--host", "127.0.0.1", "--port", str(self.api_port)],
            self.env,
        )
        api.wait_for_port(self.api_port, timeout_seconds=120)
        self._wait_until_healthy(api)

    def _wait_until_healthy(self, api: LabProcess, timeout_seconds: float = 120) -> None:
        """The port opens before the app has loaded: wait for the health endpoint."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.api_url}/api/v2/monitor/health", timeout=5).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(1)
        raise AssertionError(f"the API server never became healthy; its log:\n{api.tail()}")

    def _start_spark(self) -> None:
        env = {**spark_env(), "SPARK_WORKER_DIR": str(self.root / "spark-work")}
        spark_class = str(spark_home() / "bin" / "spark-class")
        master_url = f"spark://127.0.0.1:{self.master_port}"
        master = self._spawn(
            "spark-master",
            [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
             "--port", str(self.master_port), "--webui-port", str(free_port())],
            env,
        )  # fmt: skip
        master.wait_for_port(self.master_port)
        self._spawn(
            "spark-worker",
            [spark_class, "org.apache.spark.deploy.worker.Worker", master_url, "--host",
             "127.0.0.1", "--cores", "2", "--memory", "1g", "--webui-port", str(free_port())],
            env,
        )  # fmt: skip
        connect = self._spawn(
            "spark-connect", spark_connect_command(master_url, self.connect_port, "512m"), env
        )
        connect.wait_for_port(self.connect_port)

    def _sample_memory(self) -> None:
        """Every half second: the RSS of every process of the lab, with their children."""
        while not self._sampling.is_set():
            total = 0
            for lab_process in list(self.processes):
                rss = _tree_rss(lab_process.process.pid)
                self.memory_peaks[lab_process.name] = max(
                    self.memory_peaks.get(lab_process.name, 0), rss
                )
                total += rss
            self.total_peak = max(self.total_peak, total)
            time.sleep(0.5)

    def stop(self) -> None:
        self._sampling.set()
        for process in reversed(self.processes):
            process.stop()

    def token(self) -> str:
        response = requests.post(
            f"{self.api_url}/auth/token",
            json={"username": ADMIN, "password": self.password},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["access_token"]


def _tree_rss(pid: int) -> int:
    try:
        root = psutil.Process(pid)
        members = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total
