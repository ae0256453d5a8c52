"""The steps of ecommerce_daily for one date, run in this process in the DAG's order.

The resilience tests break a delivery and re-run a date many times; through Airflow each
run would cost a minute or two, so they call the same step functions the DAG's tasks
call (medallion.steps), on the test session's SparkSession. A data error surfaces as the
AirflowFailException the task would fail with. Which tasks Airflow skips after a failure
and how often it notifies are checked with real DAG runs elsewhere
(test_corrupt_file_dag_run.py, tests/integration/test_quality_gate_stops_dag.py).
"""

from __future__ import annotations

from medallion.steps import gate_step, gold_step, ingest_step, refine_step

DATASET = "ecommerce"
PIPELINE = "resilience_tests"
TABLES = ["customers", "products", "orders", "order_items", "events"]


def run_bronze(spark, table: str, ds: str) -> dict:
    """bronze.ingest_<table> then bronze.validate_bronze_<table>."""
    result = ingest_step(spark, DATASET, table, ds, PIPELINE, f"ingest_{table}")
    gate_step("bronze", DATASET, table, ds, PIPELINE, f"validate_bronze_{table}")
    return result


def run_silver(spark, table: str, ds: str) -> dict:
    """silver.refine_<table> then silver.validate_silver_<table>."""
    result = refine_step(spark, DATASET, table, ds, PIPELINE, f"refine_{table}")
    gate_step("silver", DATASET, table, ds, PIPELINE, f"validate_silver_{table}")
    return result


def run_gold(ds: str) -> dict:
    """gold.build_gold then gold.validate_gold."""
    result = gold_step(DATASET, ds, PIPELINE, "build_gold")
    gate_step("gold", DATASET, "marts", ds, PIPELINE, "validate_gold")
    return result


def run_date(spark, ds: str, tables: list[str] = TABLES) -> dict:
    """Run `tables` through bronze and silver, then gold; raise at the first failure.

    Tables not listed keep their committed partitions of `ds`: re-running them would
    change nothing (re-runs are idempotent, tested in tests/integration).
    Items are refined before orders, as the DAG orders them: the orders gate checks
    amounts against the lines.
    """
    for table in tables:
        run_bronze(spark, table, ds)
    ordered = sorted(tables, key=lambda table: table == "orders")
    silver = {table: run_silver(spark, table, ds) for table in ordered}
    return {"silver": silver, "gold": run_gold(ds)}
