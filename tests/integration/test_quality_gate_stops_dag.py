"""A bad silver batch stops the DAG at its gate: dbt never runs and gold stays as it was."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date

import duckdb
import pytest
from support.airflow import ECOMMERCE_DATES, AirflowRunner

from medallion.generate.ecommerce import generate_ecommerce
from medallion.quality.results import read_records

pytestmark = pytest.mark.integration

BAD_DATE = "2026-11-03"


def break_order_statuses(orders_csv, share: float) -> int:
    """Give a share of the orders an unknown status (above the contract's 5% threshold)."""
    with orders_csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    broken = int(len(rows) * share)
    for row in rows[:broken]:
        row["status"] = "on_hold"
    with orders_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return broken


def test_failed_silver_gate_stops_before_dbt_and_keeps_gold(ecommerce_run, tmp_path, monkeypatch):
    # A copy of the shared run's lake and warehouse, so other tests are not disturbed.
    data_dir = tmp_path / "data"
    shutil.copytree(ecommerce_run.data_dir, data_dir)
    runner = AirflowRunner(ecommerce_run.airflow_home, data_dir, {"MEDALLION_PUSHGATEWAY_URL": ""})
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(data_dir))  # where read_records looks
    generated = tmp_path / "generated"
    generate_ecommerce(
        out_dir=generated,
        start=date.fromisoformat(ECOMMERCE_DATES[0]),
        days=len(ECOMMERCE_DATES) + 1,
        orders_per_day=300,
        seed=7,
    )
    landing = data_dir / "landing" / "ecommerce"
    for folder in generated.iterdir():
        shutil.copytree(folder / BAD_DATE, landing / folder.name / BAD_DATE)
    [orders_csv] = (landing / "orders" / BAD_DATE).glob("*.csv")
    assert break_order_statuses(orders_csv, share=0.2) > 0

    warehouse = data_dir / "warehouse" / "ecommerce.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        gold_before = sorted(con.table("fct_orders").fetchall(), key=repr)

    result = runner.run_dag("ecommerce_daily", BAD_DATE, check=False)
    assert result.returncode != 0, "the run must fail"
    record = read_records("ecommerce", BAD_DATE)
    [orders_gate] = [r for r in record if r["layer"] == "silver" and r["table"] == "orders"]
    assert orders_gate["success"] is False, result.stdout[-3000:]
    assert any("rejected_share" in json.dumps(failure) for failure in orders_gate["failures"])

    states = runner.task_states("ecommerce_daily", BAD_DATE)
    assert states["silver.validate_silver_orders"] == "failed"
    assert states["gold.build_gold"] == "upstream_failed"
    assert states["publish_run_summary"] == "upstream_failed"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert sorted(con.table("fct_orders").fetchall(), key=repr) == gold_before
