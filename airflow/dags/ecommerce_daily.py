"""
# ecommerce_daily

The flagship pipeline: one day's deliveries of the web shop, from landing files to gold marts.

| layer | task | reads | writes |
|---|---|---|---|
| landing | `bronze.extract_<table>` (Spark JDBC, only with `MEDALLION_ECOMMERCE_SOURCE=postgres`) | the shop's PostgreSQL, rows changed in the date's window | `data/landing/ecommerce/<table>/<ds>/` |
| landing | `bronze.extract_products_api` (only with `MEDALLION_ECOMMERCE_PRODUCTS=api`) | the catalogue HTTP API (connection `ecommerce_catalogue`), every page of the date | `data/landing/ecommerce/products/<ds>/products-api.csv` |
| bronze | `bronze.ingest_<table>` (Spark) | `data/landing/ecommerce/<table>/<ds>/` | `data/lake/bronze/ecommerce/<table>/ingest_date=<ds>/` |
| bronze gate | `bronze.validate_bronze_<table>` (GX) | the bronze partition | publishes what passed: asset `bronze.ecommerce.<table>`; a gate record, Data Docs |
| silver | `silver.refine_<table>` (Spark) | that bronze partition | `data/lake/silver/...` and `data/lake/quarantine/...` |
| silver gate | `silver.validate_silver_<table>` (GX) | silver, quarantine, bronze counts | publishes what passed: asset `silver.ecommerce.<table>`; a gate record, Data Docs |
| gold | `gold.build_gold` (dbt build) | all published silver | a candidate: `data/warehouse/_candidates/ecommerce.duckdb`, `data/lake/gold/_candidates/ecommerce/` |
| gold gate | `gold.validate_gold` (GX) | the candidate marts and silver | publishes them as `data/warehouse/<dataset>.duckdb`, `data/lake/gold/<dataset>/`; assets `gold.ecommerce.<mart>`; a gate record |
| publish | `publish_run_summary` | the tasks' row counts | the task log |

Tables: customers, products, orders, order_items (CSV) and events (JSON lines); their
columns, keys and rules are the contracts in `data/contracts/ecommerce/`.

**Schedule**: daily at 06:00 UTC for the day before (the run of 2026-11-20 starts on
2026-11-21 at 06:00 and processes the deliveries of 2026-11-20; `{{ ds }}` = 2026-11-20).

**Re-running** a date replaces exactly that date's partitions, and gold is rebuilt from all
published silver: re-runs and backfills are idempotent and can run in any order.

**Write - audit - publish**: every step writes a candidate that readers do not see
(`_candidates/` folders); only its passed gate `validate_*` publishes it. A failed gate
leaves readers the version published before, and its message says where the rejected
version waits for inspection.

**Triage a failure**
- Failed at once, no retries: the data broke a promise (a file without a contract column,
  a failed quality gate `validate_*`); nothing downstream runs. The log's last lines name
  the file or the failed expectations with examples, and the Data Docs page (`make docs`);
  fix the data or the contract, then clear the task. A file that cannot be read at all
  (empty, binary, wrong encoding, cut short) has been moved to
  `data/lake/quarantine/ecommerce/_files/<table>/<ds>/` with its reason: get it
  re-delivered into the landing folder, then clear the task.
- Failed after retries: something transient kept failing (a missing delivery, Spark or
  disk trouble). Check that `data/landing/ecommerce/<table>/<ds>/` exists and the
  `spark_default` connection points at a running Spark.
- `gold.build_gold` failed: a dbt model or test failed; the log lists the failing nodes
  (run `cd dbt && dbt build --profiles-dir .` to reproduce).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import CronDataIntervalTimetable, TaskGroup, dag, task

from medallion.assets import gold_assets, layer_asset, record_asset_events
from medallion.extract import DATABASE_TABLES, extract_step
from medallion.steps import gate_step, gold_step, ingest_step, refine_step
from monitoring.notifications import DAG_CALLBACKS, TASK_CALLBACKS

DATASET = "ecommerce"
# The contracts in data/contracts/ecommerce/ list the same tables (a test checks it);
# they are not read here because DAG files must not touch files while being parsed.
TABLES = ["customers", "products", "orders", "order_items", "events"]
# The marts dbt builds (dbt/models/ecommerce/marts/; a test checks this list): the gold gate
# publishes each as an asset (medallion/assets.py).
GOLD_MARTS = [
    "fct_orders",
    "dim_customers",
    "dim_products",
    "agg_daily_sales",
    "agg_customer_segments",
]
# Where Spark runs is decided by this Airflow connection, not by code: local[2] in the
# embedded setup, a Spark Connect server or a standalone cluster with docker compose.
SPARK_CONN_ID = "spark_default"
# Where the shop's tables come from: "files" (exports dropped in the landing zone, the
# default) or "postgres" (the shop's database, extracted incrementally into the landing
# zone first; connection `ecommerce_source`). Read while parsing because it changes the
# DAG's shape; reading an environment variable costs no I/O.
SOURCE = os.environ.get("MEDALLION_ECOMMERCE_SOURCE", "files")
if SOURCE not in ("files", "postgres"):
    raise ValueError(f"MEDALLION_ECOMMERCE_SOURCE must be 'files' or 'postgres', not {SOURCE!r}")
# Where the product catalogue comes from: "files" (with the other exports) or "api" (the
# catalogue HTTP API, connection `ecommerce_catalogue`; see docs/resilience.md).
PRODUCTS = os.environ.get("MEDALLION_ECOMMERCE_PRODUCTS", "files")
if PRODUCTS not in ("files", "api"):
    raise ValueError(f"MEDALLION_ECOMMERCE_PRODUCTS must be 'files' or 'api', not {PRODUCTS!r}")
if PRODUCTS == "api" and SOURCE == "postgres":
    raise ValueError("products come from PostgreSQL or the API, not both: unset one variable")

default_args = {
    "owner": "data-platform",
    # A hung Spark job, dbt run or HTTP call fails (and alerts) instead of holding the
    # run forever; the slowest task of a 10M-orders day takes 6 minutes (docs/benchmarks.md).
    "execution_timeout": timedelta(hours=1),
    "retries": 3,
    "retry_delay": timedelta(seconds=20),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    # A webhook message and an e-mail when a task fails for good; durations as metrics.
    **TASK_CALLBACKS,
}


# A task returning a dict pushes it as one XCom (multiple_outputs=False): said
# explicitly, because Airflow would otherwise infer True from `-> dict` and also
# push every key as an XCom of its own.
@task.pyspark(conn_id=SPARK_CONN_ID, multiple_outputs=False)
def extract(table: str, ds: str | None = None, ti=None, spark=None) -> dict:
    """Rows of the shop's database changed in this date's window -> landing files."""
    return extract_step(spark, DATASET, table, ds, ti.dag_id, ti.task_id)


@task(multiple_outputs=False)
def extract_products_api(ds: str | None = None) -> dict:
    """Every page of the date's catalogue from the HTTP API -> a landing file."""
    from medallion.extract_api import extract_products_step  # requests: not at parse time

    return extract_products_step(ds)


@task.pyspark(conn_id=SPARK_CONN_ID, multiple_outputs=False)
def ingest(table: str, ds: str | None = None, ti=None, spark=None) -> dict:
    """Landing files of one table and date -> bronze partition."""
    return ingest_step(spark, DATASET, table, ds, ti.dag_id, ti.task_id)


@task.pyspark(conn_id=SPARK_CONN_ID, multiple_outputs=False)
def refine(table: str, ds: str | None = None, ti=None, spark=None) -> dict:
    """Bronze partition -> silver and quarantine partitions."""
    return refine_step(spark, DATASET, table, ds, ti.dag_id, ti.task_id)


@task(multiple_outputs=False)
def build_gold(ds: str | None = None, ti=None) -> dict:
    """dbt build: staging views and marts over all published silver, with dbt tests."""
    return gold_step(DATASET, ds, ti.dag_id, ti.task_id)


@task(multiple_outputs=False)
def validate(layer: str, table: str, ds: str | None = None, ti=None, outlet_events=None) -> dict:
    """Great Expectations gate of one layer; fails at once, without retries, on bad data.
    A passed gate records an asset event (date, rows) for each table it published."""
    result = gate_step(layer, DATASET, table, ds, ti.dag_id, ti.task_id)
    record_asset_events(outlet_events, ti.task.outlets, result)
    return result


@task
def publish_run_summary(
    silver_results: list[dict], gold_result: dict, ds: str | None = None
) -> str:
    """Log the run's row accounting in one readable block."""
    from medallion.summary import format_run_summary

    summary = format_run_summary(DATASET, ds, silver_results, gold_result)
    print(summary)
    return summary


@dag(
    dag_id="ecommerce_daily",
    schedule=CronDataIntervalTimetable("0 6 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    # Longer than every task in a row with its retries would take on a normal day; a
    # run still going after that fails, so max_active_runs=1 cannot block later dates.
    dagrun_timeout=timedelta(hours=6),
    default_args=default_args,
    tags=["ecommerce", "medallion"],
    doc_md=__doc__,
    **DAG_CALLBACKS,
)
def ecommerce_daily():
    with TaskGroup("bronze"):
        ingested = {
            table: ingest.override(task_id=f"ingest_{table}")(table=table) for table in TABLES
        }
        bronze_gates = {
            table: validate.override(
                task_id=f"validate_bronze_{table}", outlets=[layer_asset("bronze", DATASET, table)]
            )("bronze", table)
            for table in TABLES
        }
        if SOURCE == "postgres":
            for table in DATABASE_TABLES[DATASET]:
                extract.override(task_id=f"extract_{table}")(table=table) >> ingested[table]
        if PRODUCTS == "api":
            extract_products_api() >> ingested["products"]
    with TaskGroup("silver"):
        refined = {
            table: refine.override(task_id=f"refine_{table}")(table=table) for table in TABLES
        }
        silver_gates = {
            table: validate.override(
                task_id=f"validate_silver_{table}", outlets=[layer_asset("silver", DATASET, table)]
            )("silver", table)
            for table in TABLES
        }
    for table in TABLES:
        ingested[table] >> bronze_gates[table] >> refined[table] >> silver_gates[table]
    # An order's amount is checked against its lines, so the orders gate needs both tables.
    refined["order_items"] >> silver_gates["orders"]
    with TaskGroup("gold"):
        gold = build_gold()
        gold_gate = validate.override(
            task_id="validate_gold", outlets=gold_assets(DATASET, GOLD_MARTS)
        )("gold", "marts")
        gold >> gold_gate
    list(silver_gates.values()) >> gold
    gold_gate >> publish_run_summary(list(refined.values()), gold)


ecommerce_daily()
