"""
# ecommerce_report

A downstream team's DAG: a daily revenue report for finance, built from published gold.
It has no clock schedule. It runs when the gold gate of `ecommerce_daily` has published
the mart it reads: Airflow's data-aware scheduling on the asset
`gold.ecommerce.agg_daily_sales` (URI `medallion://gold/ecommerce/agg_daily_sales`). A
gold gate that fails publishes nothing and records no asset event, so this report never
runs on gold that did not pass.

| task | reads | writes |
|---|---|---|
| `export_daily_revenue` | `data/lake/gold/ecommerce/agg_daily_sales.parquet` (published) | `data/reports/ecommerce/daily_revenue.csv` |

The log names the asset events that triggered the run, with what they carried as extra:
the delivery date (`partition`) and the mart's `rows`. The Assets page of the UI shows
every layer's assets (bronze, silver, gold groups) and which DAG consumes them.

**Triage a failure**: the report reads only published gold, so a failure here is about
this task (disk, a column renamed in the mart): the log's last line says which. Fix it,
then clear the task; the data is still there.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from medallion.assets import layer_asset
from monitoring.notifications import DAG_CALLBACKS, TASK_CALLBACKS

DATASET = "ecommerce"
DAILY_SALES = layer_asset("gold", DATASET, "agg_daily_sales")

default_args = {
    "owner": "data-platform",
    "execution_timeout": timedelta(minutes=30),
    "retries": 2,
    "retry_delay": timedelta(seconds=20),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=5),
    **TASK_CALLBACKS,
}


@task(inlets=[DAILY_SALES], multiple_outputs=False)
def export_daily_revenue(triggering_asset_events=None) -> dict:
    """Published gold daily sales -> the finance team's CSV, per day and category."""
    from medallion.reports import daily_revenue_step

    events = [
        {"asset": event.asset.name, **event.extra}
        for events in (triggering_asset_events or {}).values()
        for event in events
    ]
    return daily_revenue_step(DATASET, events)


@dag(
    dag_id="ecommerce_report",
    schedule=[DAILY_SALES],
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=1),
    default_args=default_args,
    tags=["ecommerce", "medallion"],
    doc_md=__doc__,
    **DAG_CALLBACKS,
)
def ecommerce_report():
    export_daily_revenue()


ecommerce_report()
