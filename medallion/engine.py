"""The warm Spark engine: one Spark Connect server per machine, shared by every task.

Starting a JVM and a SparkSession costs 5-15 s, far more on a busy 2-core laptop, and
under a real executor (the Airflow UI, `make airflow`) every task is a process of its own
that would pay it again. The embedded default therefore runs one local Spark Connect
server on loopback, started once; every Spark task is a thin client of it through the
`spark_default` connection (conn type `spark_connect`). The compose lab runs the same
server as a container, so the laptop and the lab work the same way.

    make engine          start it unless it is running (make demo, run, airflow, test and
                         bench do this first); it waits until the engine answers a query
    make engine-status   running or not, its address, process, uptime and log
    make engine-stop     stop it (the JVM and its children)

    python -m medallion.engine start|stop|status [--port N] [--home DIR]

State lives in $MEDALLION_ENGINE_HOME (default: .engine/ in the project): `engine.pid`,
`engine.port`, and the server's log `engine.log`. The port is $MEDALLION_ENGINE_PORT
(default 15002, Spark Connect's own). The server's heap is $MEDALLION_ENGINE_MEMORY
(default 3g: refine's cached delivery of a million orders fits).

Other engines are choices of the same connection (README "Where Spark runs"): conn type
`spark` with host `local[2]` (a JVM inside each task, no server) or `spark://host:7077`
(a standalone cluster).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from medallion.jars import JarError
from medallion.settings import load_settings
from spark.session import SHUFFLE_SETTINGS, SPARK_CONF_DIR

DEFAULT_PORT = 15002
DEFAULT_MEMORY = "3g"
START_TIMEOUT_SECONDS = 240
SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


# The other embedded choice of `spark_default`: a JVM inside each task process (classic
# local mode, no server), bound to loopback. Slower per task, nothing to start first.
CLASSIC_LOCAL_CONNECTION = {
    "conn_type": "spark",
    "host": "local[2]",
    "extra": {
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        **SHUFFLE_SETTINGS,
    },
}


class EngineError(RuntimeError):
    """The engine could not be started, or is not running where it should be."""


@dataclass(frozen=True)
class Engine:
    """Where an engine's state lives and where it listens."""

    home: Path
    port: int

    @property
    def url(self) -> str:
        return f"sc://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.home / "engine.log"

    @property
    def pid_file(self) -> Path:
        return self.home / "engine.pid"

    def pid(self) -> int | None:
        """The server's process id, if its pid file names a live process."""
        try:
            pid = int(self.pid_file.read_text())
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, ProcessLookupError):
            return None
        return pid

    def listening(self) -> bool:
        return port_open(self.port)


def configured(port: int | None = None, home: Path | None = None) -> Engine:
    """The engine of this project, from the environment (see the module docstring)."""
    if home is None:
        default = load_settings().home / ".engine"
        home = Path(os.environ.get("MEDALLION_ENGINE_HOME", default))
    if port is None:
        port = int(os.environ.get("MEDALLION_ENGINE_PORT", DEFAULT_PORT))
    return Engine(home=home, port=port)


def connection_engine_port(connection_json: str) -> int | None:
    """The loopback port of a `spark_connect` connection (as in AIRFLOW_CONN_SPARK_DEFAULT),
    None for any other kind of connection."""
    import json

    connection = json.loads(connection_json)
    if connection.get("conn_type") != "spark_connect":
        return None
    return int(connection.get("port") or DEFAULT_PORT)


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def server_command(port: int, memory: str) -> list[str]:
    """spark-submit of the Spark Connect server: local[2] on loopback, the project's jars."""
    from medallion.jars import paths
    from spark.session import LOCAL_SETTINGS

    settings = {
        **LOCAL_SETTINGS,
        "spark.driver.memory": memory,
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
    }
    command = [str(spark_home() / "bin" / "spark-submit"), "--class", SERVER_CLASS]
    command += ["--master", "local[2]", "--name", "medallion-engine"]
    jars = [str(path) for path in paths()]  # JarError names the fix: make setup
    if jars:
        command += ["--jars", ",".join(jars)]
    for key, value in settings.items():
        command += ["--conf", f"{key}={value}"]
    return command


def spark_home() -> Path:
    """The pyspark package folder: its bin/ and jars/ are a whole Spark distribution."""
    import importlib.util

    spec = importlib.util.find_spec("pyspark")
    if spec is None or spec.origin is None:
        raise EngineError("pyspark is not installed in this environment: run `make setup`")
    return Path(spec.origin).parent


def start(engine: Engine, memory: str | None = None, timeout: float = START_TIMEOUT_SECONDS) -> str:
    """Start the engine unless it runs; wait until it answers a query. Returns a status line."""
    if engine.listening():
        # One engine per machine: one started from another checkout serves this one too
        # (jobs name absolute paths). Something else on the port fails the health check.
        check_answers(engine)
        owner = f"pid {engine.pid()}" if engine.pid() else "started outside this folder"
        return f"Spark engine already running at {engine.url} ({owner})"
    engine.home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SPARK_HOME": str(spark_home()), "SPARK_LOCAL_IP": "127.0.0.1"}
    # Warnings and errors only (spark/conf/log4j2.properties): at Spark's default INFO
    # level the log grew by megabytes an hour.
    env.setdefault("SPARK_CONF_DIR", str(SPARK_CONF_DIR))
    if not env.get("JAVA_HOME"):
        raise EngineError("JAVA_HOME is not set: Spark needs Java 17 (make sets it for you)")
    command = server_command(
        engine.port, memory or os.environ.get("MEDALLION_ENGINE_MEMORY", DEFAULT_MEMORY)
    )
    started = time.monotonic()
    with engine.log.open("ab") as log:
        log.write(f"\n=== starting: {' '.join(command)}\n".encode())
        log.flush()
        # Its own session: `make engine-stop` signals the whole group, JVM included, and a
        # Ctrl-C in the terminal that started it does not reach it.
        server = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    engine.pid_file.write_text(str(server.pid))
    while not engine.listening():
        if server.poll() is not None:
            raise EngineError(
                f"the Spark engine exited with code {server.returncode} while starting; "
                f"the end of its log:\n{_tail(engine.log)}"
            )
        if time.monotonic() - started > timeout:
            stop(engine)
            raise EngineError(
                f"the Spark engine did not listen on {engine.port} within {timeout:.0f} s; "
                f"the end of its log:\n{_tail(engine.log)}"
            )
        time.sleep(0.5)
    check_answers(engine)
    return (
        f"Spark engine started at {engine.url} (pid {server.pid}) in "
        f"{time.monotonic() - started:.1f} s; log: {engine.log}"
    )


def check_answers(engine: Engine) -> None:
    """The health check: a session on the engine runs a one-row query."""
    from pyspark.sql import SparkSession

    try:
        # create(), not getOrCreate(): a session this process opened before on another
        # address would be handed back instead.
        session = SparkSession.builder.remote(engine.url).create()
        try:
            rows = session.range(1).collect()
        finally:
            session.stop()
    except Exception as error:
        raise EngineError(
            f"the Spark engine at {engine.url} does not answer ({type(error).__name__}: "
            f"{str(error).splitlines()[0]}); restart it (make engine-stop engine), or if "
            f"another program holds port {engine.port}, choose another: "
            f"MEDALLION_ENGINE_PORT=<port>; log: {engine.log}"
        ) from error
    if len(rows) != 1:
        raise EngineError(f"the Spark engine at {engine.url} answered {rows!r} to range(1)")


def stop(engine: Engine, grace_seconds: float = 20) -> str:
    """Stop the engine's process group: SIGTERM, then SIGKILL after the grace period."""
    pid = engine.pid()
    if pid is None:
        engine.pid_file.unlink(missing_ok=True)
        return "Spark engine is not running"
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while engine.pid() is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    if engine.pid() is not None:
        os.killpg(pid, signal.SIGKILL)
    engine.pid_file.unlink(missing_ok=True)
    return f"Spark engine stopped (pid {pid})"


def status(engine: Engine) -> tuple[bool, str]:
    """(running, one status line)."""
    pid = engine.pid()
    if pid is None:
        return False, f"Spark engine is not running (start it: make engine); log: {engine.log}"
    if not engine.listening():
        return False, f"Spark engine process {pid} is up but not listening on {engine.port} yet"
    uptime = time.time() - engine.pid_file.stat().st_mtime
    return True, (
        f"Spark engine running at {engine.url}, pid {pid}, up {uptime / 60:.0f} min; "
        f"log: {engine.log}"
    )


def _tail(path: Path, lines: int = 15) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The project's warm Spark engine.")
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument(
        "--port", type=int, help=f"default $MEDALLION_ENGINE_PORT or {DEFAULT_PORT}"
    )
    parser.add_argument("--home", type=Path, help="default $MEDALLION_ENGINE_HOME or .engine/")
    args = parser.parse_args(argv)
    engine = configured(args.port, args.home)
    try:
        if args.action == "start":
            print(start(engine))
        elif args.action == "stop":
            print(stop(engine))
        else:
            running, line = status(engine)
            print(line)
            return 0 if running else 1
    except (EngineError, JarError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
