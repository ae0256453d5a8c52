"""A bad silver batch stops the DAG at its gate: dbt never runs and gold stays as it was;
the next day's gold is built without the rejected delivery (write - audit - publish), and
re-running the date once the source has fixed it publishes it."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from support.airflow import ECOMMERCE_DATES, AirflowRunner

from medallion.generate.ecommerce import generate_ecommerce
from medallion.quality.results import read_records

pytestmark = pytest.mark.integration

BAD_DATE = "2026-11-03"
NEXT_DATE = "2026-11-04"
REFERENCE_SQL = (Path(__file__).parent / "reference_ecommerce.sql").read_text()


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


def reference_sales(landing: Path, leave_out: list[Path] = ()) -> list[tuple]:
    """Gold's daily sales recomputed with plain DuckDB SQL from the landing files."""
    files = {
        table: sorted(
            str(path) for path in (landing / table).glob("*/*.csv") if path not in leave_out
        )
        for table in ("customers", "products", "orders", "order_items")
    }
    return duckdb.connect().execute(REFERENCE_SQL, files).fetchall()


def gold_sales(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select order_date, category, region, sum(revenue), sum(order_count) "
            "from agg_daily_sales group by all order by all"
        ).fetchall()


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
        days=len(ECOMMERCE_DATES) + 2,
        orders_per_day=300,
        seed=7,
    )
    landing = data_dir / "landing" / "ecommerce"
    for folder in generated.iterdir():
        for ds in (BAD_DATE, NEXT_DATE):
            shutil.copytree(folder / ds, landing / folder.name / ds)
    [orders_csv] = (landing / "orders" / BAD_DATE).glob("*.csv")
    original = orders_csv.read_bytes()
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

    # The next day is clean: its run succeeds, and gold is what it would be had the
    # rejected orders delivery never come (the day's other tables passed their gates).
    runner.run_dag("ecommerce_daily", NEXT_DATE)
    assert gold_sales(warehouse) == reference_sales(landing, leave_out=[orders_csv])
    silver_orders = data_dir / "lake" / "silver" / "ecommerce" / "orders"
    assert not (silver_orders / f"ingest_date={BAD_DATE}").exists()
    assert (silver_orders / "_candidates" / f"ingest_date={BAD_DATE}").is_dir()

    # The source re-delivers the day correctly; re-running it publishes it.
    orders_csv.write_bytes(original)
    runner.run_dag("ecommerce_daily", BAD_DATE)
    assert gold_sales(warehouse) == reference_sales(landing)
    assert not (silver_orders / "_candidates" / f"ingest_date={BAD_DATE}").exists()
