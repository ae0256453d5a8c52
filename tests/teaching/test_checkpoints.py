"""The checkpoint commands answer from the real outputs of a pipeline run.

They run as a participant runs them (`python -m medallion.teaching.checkpoints ...`, what
`make checkpoint Q=...` calls) against the shared two-day run of ecommerce_daily
(`ecommerce_run` in tests/conftest.py), and their numbers are compared with independent
counts of the parquet files (tests/support/lake_checks.py) and with Airflow's own CLI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb
import pytest
from support.airflow import ECOMMERCE_DATES
from support.lake_checks import KEYS, layer_rows

pytestmark = pytest.mark.integration


def checkpoint(question: str, data_dir, airflow_home) -> subprocess.CompletedProcess:
    env = {**os.environ, "MEDALLION_DATA_DIR": str(data_dir), "AIRFLOW_HOME": str(airflow_home)}
    return subprocess.run(
        [sys.executable, "-m", "medallion.teaching.checkpoints", question],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_bronze_shows_every_table_and_date_with_the_parquet_counts(ecommerce_run):
    result = checkpoint("bronze", ecommerce_run.data_dir, ecommerce_run.airflow_home)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {
        (fields[0], fields[1]): fields[2:]
        for fields in (line.split() for line in result.stdout.splitlines())
        if len(fields) > 2 and fields[1] in ECOMMERCE_DATES
    }
    assert sorted(rows) == sorted((table, ds) for table in KEYS for ds in ECOMMERCE_DATES)
    data = ecommerce_run.data_dir
    for (table, ds), shown in rows.items():
        bronze, silver, quarantine = (int(value.replace(",", "")) for value in shown[:3])
        assert bronze == layer_rows(data, "bronze", table, ds) > 0, (table, ds)
        assert silver == layer_rows(data, "silver", table, ds), (table, ds)
        assert quarantine == layer_rows(data, "quarantine", table, ds), (table, ds)
        assert " ".join(shown[3:]) == "silver + quarantine = bronze"


def test_bronze_without_data_says_what_to_run(tmp_path, ecommerce_run):
    result = checkpoint("bronze", tmp_path, ecommerce_run.airflow_home)
    assert result.returncode == 1
    assert "No published bronze partition of ecommerce yet: run a date" in result.stdout


def test_dbt_test_counts_passing_and_failing_tests(ecommerce_run, tmp_path):
    # A copy: dbt test writes its audit tables into the warehouse, and we break gold below.
    data_dir = tmp_path / "data"
    shutil.copytree(ecommerce_run.data_dir, data_dir)
    result = checkpoint("dbt-test", data_dir, ecommerce_run.airflow_home)
    assert result.returncode == 0, result.stdout[-3000:]
    summary = result.stdout.splitlines()[-2]
    passed, total = int(summary.split()[0]), int(summary.split()[2])
    assert summary.startswith(f"{passed} of {total} tests pass"), summary
    assert 0 < passed <= total and "fail" not in summary

    # An order twice in fct_orders: its grain test must fail, and the count must say so.
    with duckdb.connect(str(data_dir / "warehouse" / "ecommerce.duckdb")) as con:
        con.execute("insert into fct_orders select * from fct_orders limit 1")
    result = checkpoint("dbt-test", data_dir, ecommerce_run.airflow_home)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "FAIL  unique_fct_orders_order_id" in result.stdout
    summary = result.stdout.splitlines()[-2]
    broken = int(summary.split()[0])
    assert broken < passed and summary.startswith(f"{broken} of {total} tests pass"), summary
    assert " fail" in summary, summary


def test_dag_run_shows_the_last_run_and_its_tasks(ecommerce_run):
    result = checkpoint("dag-run", ecommerce_run.data_dir, ecommerce_run.airflow_home_as_set_up)
    assert result.returncode == 0, result.stdout + result.stderr
    last = ECOMMERCE_DATES[-1]
    states = ecommerce_run.task_states("ecommerce_daily", last)
    assert f"ecommerce_daily, last run: {last} (manual, " in result.stdout
    assert "): success, finished " in result.stdout
    assert f"  tasks: {len(states)} success" in result.stdout
    # `airflow dags test` without make writes no log file: the answer says where it looked.
    assert f"dags-test-{last}.log" in result.stdout
