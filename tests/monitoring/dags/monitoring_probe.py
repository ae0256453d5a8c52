"""
# monitoring_probe

A two-task DAG for the monitoring tests (tests/monitoring/test_notifications.py): it wires
the project's callbacks exactly as a pipeline does, and `check_rows` fails on demand
(`--conf '{"fail": true}'`), so a real Airflow run exercises the failure path, retry
included.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task

from monitoring.notifications import DAG_CALLBACKS, TASK_CALLBACKS


@task
def load_rows() -> int:
    return 3


@task
def check_rows(rows: int, params=None) -> None:
    if params["fail"]:
        raise ValueError(f"check_rows: {rows} rows, expected 5\n(the probe was asked to fail)")


@dag(
    dag_id="monitoring_probe",
    schedule=None,
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    default_args={
        "owner": "tests",
        "retries": 1,
        "retry_delay": timedelta(seconds=0),
        **TASK_CALLBACKS,
    },
    params={"fail": Param(False, type="boolean")},
    tags=["tests"],
    doc_md=__doc__,
    **DAG_CALLBACKS,
)
def monitoring_probe():
    check_rows(load_rows())


monitoring_probe()
