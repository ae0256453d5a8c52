"""After a real DAG run, Prometheus holds the pipeline's numbers and every panel has data."""

from __future__ import annotations

import duckdb
import pytest
from support.airflow import ECOMMERCE_DATES

from medallion.contracts import list_tables
from monitoring.dashboards import panel_queries

pytestmark = pytest.mark.integration

LAST_DATE = ECOMMERCE_DATES[-1]
# Panels that are empty after a clean run by design.
EMPTY_WHEN_HEALTHY = {"Firing alerts"}


def parquet_rows(data_dir, layer: str, table: str, ds: str) -> int:
    folder = data_dir / "lake" / layer / "ecommerce" / table / f"ingest_date={ds}"
    if not any(folder.glob("*.parquet")):
        return 0
    return duckdb.execute(
        "select count(*) from read_parquet(?)", [str(folder / "*.parquet")]
    ).fetchone()[0]


def test_rows_per_layer_in_prometheus_equal_parquet_counts(
    ecommerce_run, monitoring_stack, wait_until
):
    for layer in ("bronze", "silver"):
        for table in list_tables("ecommerce"):
            promql = (
                f'medallion_layer_rows{{pipeline="ecommerce_daily", layer="{layer}", '
                f'table="{table}", ds="{LAST_DATE}"}}'
            )
            [series] = wait_until(lambda q=promql: monitoring_stack.query(q))
            expected = parquet_rows(ecommerce_run.data_dir, layer, table, LAST_DATE)
            assert float(series["value"][1]) == expected, (layer, table)


def test_quarantined_rows_in_prometheus_equal_parquet_counts(
    ecommerce_run, monitoring_stack, wait_until
):
    promql = f'sum(medallion_quarantined_rows{{pipeline="ecommerce_daily", table="orders", ds="{LAST_DATE}"}})'
    [series] = wait_until(lambda: monitoring_stack.query(promql))
    assert float(series["value"][1]) == parquet_rows(
        ecommerce_run.data_dir, "quarantine", "orders", LAST_DATE
    )


def test_every_dashboard_panel_has_data_after_a_run(ecommerce_run, monitoring_stack, wait_until):
    # Wait until Prometheus has scraped the end of the run, then ask every panel once.
    wait_until(lambda: monitoring_stack.query('medallion_run_success{pipeline="ecommerce_daily"}'))
    queries = panel_queries(variables={"$pipeline": "ecommerce_daily"})
    assert queries
    empty = [
        f"{query.panel}: {query.expr}"
        for query in queries
        if query.panel not in EMPTY_WHEN_HEALTHY and not monitoring_stack.query(query.expr)
    ]
    assert empty == []
