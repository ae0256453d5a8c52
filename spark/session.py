"""SparkSession settings every job relies on, wherever the session comes from.

Airflow builds the session from its `spark_default` connection (local[2], a Spark
Connect server or a standalone cluster); by hand, `local_session()` builds one here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Settings that change what a job computes, so they are fixed here and not left to
# the connection: timestamps are UTC everywhere.
JOB_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
}

# Shuffles sized by the data, not by hand: every shuffle starts with 64 partitions and
# adaptive query execution merges them into pieces of about 64 MB. A demo day ends up in
# one or two partitions (few small files); a day of 10M orders keeps enough that no
# partition outgrows the heap (a fixed 4 partitions ran refine out of heap at 55M events).
SHUFFLE_SETTINGS = {
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.adaptive.coalescePartitions.enabled": "true",
    "spark.sql.adaptive.coalescePartitions.parallelismFirst": "false",
    "spark.sql.adaptive.advisoryPartitionSizeInBytes": "64m",
    "spark.sql.shuffle.partitions": "64",
}

# Settings for a small machine: bind to loopback, no UI. In local mode the driver JVM also
# runs the tasks, and its default 1 GB heap is too small for a day of a million orders:
# refine's cached delivery spilled to disk (measured with `make bench`,
# docs/benchmarks.md). The heap is fixed when the JVM starts, so this only applies to a
# session that starts it.
LOCAL_SETTINGS = {
    "spark.driver.memory": "3g",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    **SHUFFLE_SETTINGS,
}


# Spark's logging configuration (log4j2.properties): Spark reads it from the folder
# SPARK_CONF_DIR names. It keeps Spark's normal start-up notes out of task logs.
SPARK_CONF_DIR = Path(__file__).resolve().parent / "conf"


class EngineUnreachableError(RuntimeError):
    """The Spark Connect server of the `spark_default` connection does not answer.

    Transient for Airflow (the task is retried with backoff): start the engine and the
    next try goes through.
    """


def configure_job(spark: SparkSession) -> SparkSession:
    """Apply the settings a job's results depend on to any session.

    It is a job's first call to Spark, so it is also where a session on a Spark Connect
    server that is not running fails: at once, with one line naming the command that
    starts it (the Connect client itself would retry for minutes).
    """
    _check_engine_listens(spark)
    for key, value in JOB_SETTINGS.items():
        spark.conf.set(key, value)
    return spark


def _check_engine_listens(spark: SparkSession) -> None:
    """For a Spark Connect session: is anything listening where it connects?"""
    import socket

    if not type(spark).__module__.startswith("pyspark.sql.connect"):
        return  # a classic session runs in this process: nothing to reach
    # pyspark has no public accessor for a Connect session's port.
    host, port = spark.client._builder.endpoint.rsplit(":", 1)
    with socket.socket() as probe:
        probe.settimeout(2)
        if probe.connect_ex((host.strip("[]"), int(port))) != 0:
            # No retries for this session's last calls either: closing it (Airflow's task
            # does, after the error) would otherwise retry releasing it for minutes.
            spark.client.set_retry_policies([])
            raise EngineUnreachableError(
                f"the Spark engine of the spark_default connection (sc://{host}:{port}) does not "
                "answer: start it with `make engine` (`make engine-status` says where it "
                "listens and where its log is); the task will be retried"
            )


def local_session(app_name: str, master: str = "local[2]") -> SparkSession:
    """A session for running a job by hand or in tests (JAVA_HOME must point to Java 17)."""
    import os

    from pyspark.sql import SparkSession

    # A Spark Connect session opened earlier in this process leaves this flag set, and
    # pyspark would then build a Connect session again instead of a classic local one.
    os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)
    # Read when the JVM starts, which this call does (make sets both for every command).
    os.environ.setdefault("SPARK_CONF_DIR", str(SPARK_CONF_DIR))
    # The JVM finds its own address from this, as the warm engine's does (engine.py);
    # without it Spark looks the machine's hostname up, which fails on laptops (often
    # macOS) and sandboxes whose hostname does not resolve.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.appName(app_name).master(master)
    for key, value in {**LOCAL_SETTINGS, **JOB_SETTINGS}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def session_of_connection(app_name: str) -> SparkSession:
    """A session on the engine the `spark_default` connection names, as Airflow's task
    gets: the warm engine (spark_connect) when AIRFLOW_CONN_SPARK_DEFAULT says so,
    otherwise a local session in this process (for the benchmark's stages)."""
    import json
    import os

    from pyspark.sql import SparkSession

    connection = json.loads(os.environ.get("AIRFLOW_CONN_SPARK_DEFAULT") or "{}")
    if connection.get("conn_type") != "spark_connect":
        return local_session(app_name)
    url = f"{connection['host']}:{connection.get('port', 15002)}"
    return SparkSession.builder.remote(url).appName(app_name).getOrCreate()
