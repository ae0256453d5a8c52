"""Inputs nobody tuned for, through real `airflow dags test` runs of ecommerce_daily.

One generated day of deliveries per test, broken by the Break it! injectors, then run
whole. What only a run shows:
- a file that cannot be parsed as its contract says fails its ingest task on the first
  try, the task's message names file, line and column, and the file is in the file
  quarantine with its reason; the other tables load;
- a `.csv.gz` delivery and a header line inside a file load, and every landed record is
  in silver, quarantine or the file quarantine (counted here independently, with Python's
  csv and gzip modules);
- an empty delivery is the contract's choice: by default it fails at once and leaves the
  file in landing; with `allow_empty: true` the run goes through to gold.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import sys
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from support.airflow import REPO, AirflowRunner
from support.services import require

from medallion.dag_runs import failed_task_errors
from medallion.faults.catalog import SCENARIOS

pytestmark = pytest.mark.integration

DS = "2026-11-01"
NEXT = "2026-11-02"
DAG = "ecommerce_daily"


def deliveries(tmp_path: Path, days: int) -> AirflowRunner:
    """A fresh Airflow home and `days` generated days of e-commerce deliveries from DS."""
    from medallion.generate.ecommerce import generate_ecommerce

    require(
        "AIRFLOW_CONN_SPARK_DEFAULT" in os.environ,
        "DAG runs need the embedded environment (Java, spark_default): run them with `make test`",
    )
    data_dir = tmp_path / "data"
    generate_ecommerce(
        out_dir=data_dir / "landing" / "ecommerce",
        start=date.fromisoformat(DS),
        days=days,
        orders_per_day=120,
        seed=11,
    )
    runner = AirflowRunner(tmp_path / "airflow_home", data_dir, {"MEDALLION_PUSHGATEWAY_URL": ""})
    runner.migrate()
    return runner


@pytest.fixture
def one_day(tmp_path) -> AirflowRunner:
    return deliveries(tmp_path, days=1)


def break_delivery(monkeypatch, data_dir: Path, scenario: str, ds: str = DS) -> None:
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(data_dir))
    for inject in SCENARIOS[scenario].variants.values():
        inject(ds)


def records(path: Path) -> int:
    """Data records in a delivered CSV file, counted with no limit on field size."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text = data.decode("utf-8")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > 1 else ","
    # The limit is process-wide: lifted for this count only, then restored for other tests.
    previous_limit = csv.field_size_limit(sys.maxsize)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = [row for row in reader if row]
    finally:
        csv.field_size_limit(previous_limit)
    return len(rows) - 1


def lake_rows(data_dir: Path, layer: str, table: str, ds: str = DS) -> list[dict]:
    folder = data_dir / "lake" / layer / "ecommerce" / table / f"ingest_date={ds}"
    return [
        row for path in sorted(folder.glob("*.parquet")) for row in pq.read_table(path).to_pylist()
    ]


def file_quarantine(data_dir: Path, table: str) -> Path:
    return data_dir / "lake" / "quarantine" / "ecommerce" / "_files" / table / DS


def run_dag(runner: AirflowRunner, ds: str = DS) -> tuple[int, str]:
    """Run the DAG for `ds`; its output (every task's log) is kept in the Airflow home."""
    result = runner.run_dag(DAG, ds, check=False)
    output = result.stdout + result.stderr
    (runner.airflow_home / f"dags-test-{ds}.log").write_text(output, encoding="utf-8")
    return result.returncode, output


def test_unparseable_files_fail_once_and_loadable_ones_load(one_day, monkeypatch):
    data_dir = one_day.data_dir
    break_delivery(monkeypatch, data_dir, "unreadable-input")
    landing = data_dir / "landing" / "ecommerce"
    landed = {
        table: {path.name: records(path) for path in (landing / table / DS).iterdir()}
        for table in ("orders", "products", "customers", "order_items")
    }

    returncode, output = run_dag(one_day)
    assert returncode != 0, "the run must fail"

    states = one_day.task_states(DAG, DS)
    failed = sorted(task for task, state in states.items() if state == "failed")
    assert failed == ["bronze.ingest_customers", "bronze.ingest_orders"], states
    tries = one_day.try_numbers(DAG)
    assert {task: tries[task] for task in failed} == dict.fromkeys(failed, 1), "retried"
    assert states["silver.validate_silver_order_items"] == "success"

    reasons = {
        "orders": ("orders-part-00001.csv", "field_too_large"),
        "customers": ("customers-part-00000.csv", "wrong_delimiter"),
    }
    for table, (name, reason) in reasons.items():
        folder = file_quarantine(data_dir, table)
        assert json.loads((folder / f"{name}.reason.json").read_text())["reason"] == reason
        assert not (landing / table / DS / name).exists()
        # Nothing of a failed table was loaded, and nothing was lost: every landed record
        # is still in landing or in the file quarantine.
        assert not lake_rows(data_dir, "bronze", table)
        still_landed = {path.name: records(path) for path in (landing / table / DS).iterdir()}
        quarantined = {
            path.name: records(path) for path in folder.iterdir() if path.suffix != ".json"
        }
        assert still_landed | quarantined == landed[table]

    assert (
        "orders-part-00001.csv: field_too_large (line 2, column 'payment_method' (field 5) "
        "holds 200,000 characters" in output
    )
    assert "separated by a semicolon (;) but the contract expects a comma (,)" in output
    # What `make run` prints first: each failed task with its own error.
    errors = failed_task_errors(output)
    assert sorted(errors) == ["bronze.ingest_customers", "bronze.ingest_orders"]
    assert errors["bronze.ingest_orders"].startswith(
        "CorruptFileError: ecommerce.orders 2026-11-01: 1 of 2 delivered file(s) cannot be read: "
        "orders-part-00001.csv: field_too_large (line 2, column 'payment_method'"
    )

    # order_items came as .csv.gz with the header repeated inside: landing = silver + quarantine.
    [(name, count)] = landed["order_items"].items()
    assert name == "order_items-part-00000.csv.gz"
    silver = lake_rows(data_dir, "silver", "order_items")
    quarantine = lake_rows(data_dir, "quarantine", "order_items")
    assert len(silver) + len(quarantine) == count
    assert [row["_reject_reason"] for row in quarantine].count("repeated_header") == 1
    assert {row["_source_file"] for row in silver} == {f"order_items/{DS}/{name}"}

    # The products file was gzip under a .csv name: renamed to .csv.gz, every row loaded.
    [(name, count)] = landed["products"].items()
    assert [path.name for path in (landing / "products" / DS).iterdir()] == [f"{name}.gz"]
    silver = lake_rows(data_dir, "silver", "products")
    assert len(silver) + len(lake_rows(data_dir, "quarantine", "products")) == count > 0
    assert {row["_source_file"] for row in silver} == {f"products/{DS}/{name}.gz"}


def allow_empty_home(tmp_path: Path) -> Path:
    """A copy of the project's contracts, GX project and dbt project, with customers
    allowed to deliver nothing (MEDALLION_HOME points the run at it)."""
    home = tmp_path / "home"
    shutil.copytree(REPO / "data" / "contracts", home / "data" / "contracts")
    shutil.copytree(
        REPO / "great_expectations",
        home / "great_expectations",
        ignore=shutil.ignore_patterns("uncommitted"),
    )
    shutil.copytree(REPO / "dbt", home / "dbt", ignore=shutil.ignore_patterns("target", "logs"))
    path = home / "data" / "contracts" / "ecommerce" / "customers.yml"
    contract = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump(contract | {"allow_empty": True}), encoding="utf-8")
    return home


def test_an_empty_delivery_fails_at_once_by_default(one_day, monkeypatch):
    data_dir = one_day.data_dir
    break_delivery(monkeypatch, data_dir, "empty-delivery")
    customers = data_dir / "landing" / "ecommerce" / "customers" / DS / "customers-part-00000.csv"
    assert records(customers) == 0

    returncode, output = run_dag(one_day)

    assert returncode != 0
    states = one_day.task_states(DAG, DS)
    failed = sorted(task for task, state in states.items() if state == "failed")
    assert failed == ["bronze.ingest_customers"], states
    assert one_day.try_numbers(DAG)["bronze.ingest_customers"] == 1
    assert failed_task_errors(output)["bronze.ingest_customers"].startswith(
        "EmptyDeliveryError: ecommerce.customers 2026-11-01: the delivery holds no rows"
    )
    assert "set `allow_empty: true`" in output
    assert customers.exists(), "the file stays in landing"
    assert not lake_rows(data_dir, "bronze", "customers")


def test_an_empty_delivery_the_contract_allows_goes_through_to_gold(tmp_path, monkeypatch):
    runner = deliveries(tmp_path, days=2)
    data_dir = runner.data_dir
    assert run_dag(runner, DS)[0] == 0
    # Orders come from customers delivered before their day, so a day without new
    # customers is consistent.
    break_delivery(monkeypatch, data_dir, "empty-delivery", NEXT)
    runner.env["MEDALLION_HOME"] = str(allow_empty_home(tmp_path))

    returncode, output = run_dag(runner, NEXT)

    assert returncode == 0, output[-3000:]
    assert set(runner.task_states(DAG, NEXT).values()) == {"success"}
    for layer in ("bronze", "silver", "quarantine"):
        assert lake_rows(data_dir, layer, "customers", NEXT) == []
    # Gold, recomputed from silver: one row per order, one per customer.
    orders = {
        row["order_id"] for ds in (DS, NEXT) for row in lake_rows(data_dir, "silver", "orders", ds)
    }
    customers = {row["customer_id"] for row in lake_rows(data_dir, "silver", "customers", DS)}
    assert lake_rows(data_dir, "silver", "orders", NEXT), "the other tables went through"
    import duckdb

    with duckdb.connect(str(data_dir / "warehouse" / "ecommerce.duckdb"), read_only=True) as db:
        [(gold_orders, gold_customers)] = db.execute(
            "select (select count(distinct order_id) from fct_orders),"
            " (select count(distinct customer_id) from dim_customers)"
        ).fetchall()
    assert (gold_orders, gold_customers) == (len(orders), len(customers))
