"""Real services of the compose lab, started as local processes on loopback for tests.

- `scratch_database(server)`: a fresh database on the test run's own PostgreSQL (the
  `postgres_server` fixture), dropped afterwards.
- `LabProcess`: a command in its own process group, logging to a file, stopped by
  signalling the whole group (Airflow and Spark start children of their own).
- `spark_connect_command()`: the Spark Connect server as docker compose runs it, from the
  pyspark package (SPARK_HOME = the package folder).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from medallion.local_servers.postgres import LocalPostgres
from spark.session import SHUFFLE_SETTINGS
from support.services import require


def jdbc_driver() -> Path:
    """The PostgreSQL JDBC driver that `make setup` fetched from Maven Central (.jars/)."""
    from medallion import jars

    try:
        return next(path for path in jars.paths() if path.name.startswith("postgresql-"))
    except jars.JarError as error:
        require(False, f"the Spark engine loads the PostgreSQL JDBC driver: {error}")


@contextlib.contextmanager
def scratch_database(server: LocalPostgres, prefix: str = "medallion_ci") -> Iterator[str]:
    """Create a database with a random name on the test run's own server; yield its name;
    drop it at the end."""
    name = server.create_database(f"{prefix}_{secrets.token_hex(4)}")
    try:
        yield name
    finally:
        server.drop_database(name)


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class LabProcess:
    """One service: started with `start()` in a new session, stopped with its group."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.command = command
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> LabProcess:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        return self

    def wait_for_port(self, port: int, timeout_seconds: float = 90) -> None:
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if port_is_open(port):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        raise AssertionError(
            f"{self.name} did not open port {port} (exit code {self.process.poll()}); "
            f"its log {self.log_path}:\n{self.tail()}"
        )

    def tail(self, characters: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-characters:]

    def stop(self, grace_seconds: float = 15) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(grace_seconds)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def spark_env() -> dict[str, str]:
    env = {**os.environ, "SPARK_HOME": str(spark_home()), "SPARK_LOCAL_IP": "127.0.0.1"}
    if "JAVA_HOME" not in env:  # the JDK that `java` on the PATH belongs to, as the Makefile
        java = shutil.which("java")
        require(java is not None, "Spark needs Java 17: apt-get install openjdk-17-jre-headless")
        env["JAVA_HOME"] = str(Path(os.path.realpath(java)).parents[1])
    return env


def spark_connect_command(master: str, port: int, memory: str = "768m") -> list[str]:
    """spark-submit of the Spark Connect server, as the compose service runs it."""
    return [
        str(spark_home() / "bin" / "spark-submit"),
        "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--master", master,
        "--jars", str(jdbc_driver()),
        "--driver-memory", memory,
        "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf", f"spark.connect.grpc.binding.port={port}",
        "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.ui.enabled=false",
        *(arg for key, value in SHUFFLE_SETTINGS.items() for arg in ("--conf", f"{key}={value}")),
        "--conf", f"spark.executor.memory={memory}",
    ]  # fmt: skip
