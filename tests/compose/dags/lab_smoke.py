"""
# lab_smoke

A one-task DAG the browser test triggers from the Airflow UI: it asks Spark (through the
`spark_default` connection, the lab's Spark Connect server) to count to 1000, so a green
run shows that the UI, the scheduler, a task process and the Spark cluster all work.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task


@task.pyspark(conn_id="spark_default")
def count_on_spark(spark=None) -> int:
    """1000, counted by the Spark cluster."""
    counted = spark.range(1000).count()
    if counted != 1000:
        raise ValueError(f"Spark counted {counted} rows of range(1000)")
    return counted


@dag(
    dag_id="lab_smoke",
    schedule=None,
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    tags=["lab"],
    default_args={"owner": "data-platform", "retries": 0},
    doc_md=__doc__,
)
def lab_smoke():
    count_on_spark()


lab_smoke()
