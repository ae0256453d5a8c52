"""
# sensors_hourly

Temperature and humidity readings of the sensor network, one delivery an hour, from
landing files to hourly aggregates, anomalies and device uptime.

| layer | task | reads | writes |
|---|---|---|---|
| bronze | `bronze.ingest_<table>` (Spark) | `data/landing/sensors/<table>/<hour>/` | `data/lake/bronze/sensors/<table>/ingest_date=<hour>/` |
| bronze gate | `bronze.validate_bronze_<table>` (GX) | the bronze partition | publishes what passed: asset `bronze.sensors.<table>`; a gate record, Data Docs |
| silver | `silver.refine_<table>` (Spark) | that bronze partition | `data/lake/silver/...` and `data/lake/quarantine/...` |
| silver gate | `silver.validate_silver_<table>` (GX) | silver, quarantine, bronze counts | publishes what passed: asset `silver.sensors.<table>`; a gate record, Data Docs |
| gold | `gold.build_gold` (dbt build of `dbt/models/sensors/`) | all published silver | a candidate: `data/warehouse/_candidates/sensors.duckdb`, `data/lake/gold/_candidates/sensors/` |
| gold gate | `gold.validate_gold` (GX) | the candidate marts and silver | publishes them as `data/warehouse/<dataset>.duckdb`, `data/lake/gold/<dataset>/`; assets `gold.sensors.<mart>`; a gate record |
| publish | `publish_run_summary` | the tasks' row counts | the task log |

Tables: devices (the registry, a CSV snapshot every hour) and readings (JSON lines);
their columns, keys and rules are the contracts in `data/contracts/sensors/`.

**Schedule and partitions**: hourly, at minute 0, for the hour before (the run of
05:00-06:00 UTC starts at 06:00; its logical date is 05:00). The lake is partitioned per
*delivery*, as for the daily pipelines, and an hourly delivery is its own partition: the
partition value is the delivery hour `YYYY-MM-DDTHH` (e.g. `ingest_date=2026-11-01T05`),
in the landing zone (`data/landing/sensors/readings/2026-11-01T05/`) and in every lake
layer. One run replaces exactly its hour's partitions, so re-runs and backfills stay
idempotent and a re-run never touches another hour.

**Late readings**: a reading taken at 04:58 and sent with the 05:00 delivery lands in
the bronze and silver partition `2026-11-01T05` (where it arrived: nothing delivered is
ever moved), and gold counts it in hour 04 (`date_trunc('hour', measured_at)`): gold
groups by when a reading was taken, not by when it arrived. A reading re-sent in a later
delivery is counted once (the latest transmission, `sent_at`, wins). Because gold is
rebuilt from all published silver at every run, the 04:00 hour in gold is complete as
soon as the 05:00 delivery has been processed.

Marts: `sensors_hourly_readings` (per hour, site and device), `sensors_anomalies`
(readings more than the dbt var `anomaly_temperature_delta_c` from their device's
hourly median) and `sensors_device_uptime` (readings received / 12 an hour).

**Write - audit - publish**: every step writes a candidate that readers do not see
(`_candidates/` folders); only its passed gate `validate_*` publishes it. A failed gate
leaves readers the version published before, and its message says where the rejected
version waits for inspection.

**Triage a failure**
- Failed at once, no retries: the data broke a promise (a file without a contract column,
  a corrupt file, a failed quality gate `validate_*`); nothing downstream runs. The log's
  last lines name the file or the failed expectations with examples, and the Data Docs
  page (`make docs`); fix the data or the contract, then clear the task.
- Failed after retries: something transient kept failing (a missing delivery, Spark or
  disk trouble). Check that `data/landing/sensors/<table>/<hour>/` exists and the
  `spark_default` connection points at a running Spark.
- `gold.build_gold` failed: a dbt model or test failed; the log lists the failing nodes
  (reproduce in `dbt/`: `dbt build --profiles-dir . --select path:models/sensors
  --vars '{dataset: sensors}'`).
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import CronDataIntervalTimetable, TaskGroup, dag, task

from medallion.assets import gold_assets, layer_asset, record_asset_events
from medallion.steps import gate_step, gold_step, ingest_step, refine_step
from monitoring.notifications import DAG_CALLBACKS, TASK_CALLBACKS

DATASET = "sensors"
# The contracts in data/contracts/sensors/ list the same tables (a test checks it).
TABLES = ["devices", "readings"]
# The marts dbt builds (dbt/models/sensors/marts/; a test checks this list): the gold gate
# publishes each as an asset (medallion/assets.py).
GOLD_MARTS = ["sensors_hourly_readings", "sensors_anomalies", "sensors_device_uptime"]
SPARK_CONN_ID = "spark_default"

default_args = {
    "owner": "data-platform",
    # A hung Spark job or dbt run fails (and alerts) instead of holding the run forever;
    # an hour's delivery takes seconds.
    "execution_timeout": timedelta(minutes=20),
    "retries": 3,
    "retry_delay": timedelta(seconds=20),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    **TASK_CALLBACKS,
}


def delivery_hour(logical_date) -> str:
    """The partition value of the hour a run processes: `YYYY-MM-DDTHH` (UTC)."""
    return logical_date.in_timezone("UTC").strftime("%Y-%m-%dT%H")


# A task returning a dict pushes it as one XCom (multiple_outputs=False): said
# explicitly, because Airflow would otherwise infer True from `-> dict` and also
# push every key as an XCom of its own.
@task.pyspark(conn_id=SPARK_CONN_ID, multiple_outputs=False)
def ingest(table: str, logical_date=None, ti=None, spark=None) -> dict:
    """Landing files of one table and hour -> bronze partition."""
    return ingest_step(spark, DATASET, table, delivery_hour(logical_date), ti.dag_id, ti.task_id)


@task.pyspark(conn_id=SPARK_CONN_ID, multiple_outputs=False)
def refine(table: str, logical_date=None, ti=None, spark=None) -> dict:
    """Bronze partition -> silver and quarantine partitions."""
    return refine_step(spark, DATASET, table, delivery_hour(logical_date), ti.dag_id, ti.task_id)


@task(multiple_outputs=False)
def build_gold(logical_date=None, ti=None) -> dict:
    """dbt build of the sensors models over all published silver, with dbt tests."""
    return gold_step(DATASET, delivery_hour(logical_date), ti.dag_id, ti.task_id)


@task(multiple_outputs=False)
def validate(layer: str, table: str, logical_date=None, ti=None, outlet_events=None) -> dict:
    """Great Expectations gate of one layer; fails at once, without retries, on bad data.
    A passed gate records an asset event (hour, rows) for each table it published."""
    hour = delivery_hour(logical_date)
    result = gate_step(layer, DATASET, table, hour, ti.dag_id, ti.task_id)
    record_asset_events(outlet_events, ti.task.outlets, result)
    return result


@task
def publish_run_summary(silver_results: list[dict], gold_result: dict, logical_date=None) -> str:
    """Log the run's row accounting in one readable block."""
    from medallion.summary import format_run_summary

    summary = format_run_summary(DATASET, delivery_hour(logical_date), silver_results, gold_result)
    print(summary)
    return summary


@dag(
    dag_id="sensors_hourly",
    schedule=CronDataIntervalTimetable("0 * * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    # An hourly run still going after 3 hours fails, so max_active_runs=1 cannot block
    # the hours after it for good.
    dagrun_timeout=timedelta(hours=3),
    default_args=default_args,
    tags=["sensors", "medallion"],
    doc_md=__doc__,
    **DAG_CALLBACKS,
)
def sensors_hourly():
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
    with TaskGroup("gold"):
        gold = build_gold()
        gold_gate = validate.override(
            task_id="validate_gold", outlets=gold_assets(DATASET, GOLD_MARTS)
        )("gold", "marts")
        gold >> gold_gate
    list(silver_gates.values()) >> gold
    gold_gate >> publish_run_summary(list(refined.values()), gold)


sensors_hourly()
