"""Every Grafana panel's query returns data from a real Prometheus after a run's pushes.

Grafana cannot run here; its panels are PromQL queries against the provisioned datasource,
so running each query (monitoring.dashboards) against the real stack proves the panels
are not empty. The pushes below are those of two daily runs of a five-table pipeline, the
second with a partial events delivery (so RowCountDrop fires and the alerts panel has
something to list).
"""

from __future__ import annotations

import json

import pytest
import yaml

from monitoring import metrics
from monitoring.dashboards import dashboard_files, panel_queries
from monitoring.stack_config import monitoring_dir

PIPELINE = "dashboard_demo"
# table -> bronze rows of the first and the second delivery
BRONZE_ROWS = {
    "customers": (200, 210),
    "products": (50, 50),
    "orders": (1_000, 1_040),
    "order_items": (2_600, 2_700),
    "events": (10_000, 4_000),  # a partial delivery
}
QUARANTINE = {"orders": {"out_of_range:amount": 12, "not_in_accepted_values:status": 8}}


def push_daily_run(ds: str, day: int, previous_ds: str | None) -> None:
    for table, rows in BRONZE_ROWS.items():
        bronze = rows[day]
        previous = rows[day - 1] if previous_ds else None
        rejected = QUARANTINE.get(table, {})
        silver = bronze - sum(rejected.values())
        metrics.push_layer_rows(
            PIPELINE,
            f"bronze.ingest_{table}",
            "bronze",
            table,
            ds,
            bronze,
            input_rows=bronze,
            previous_rows=previous,
        )
        metrics.push_layer_rows(
            PIPELINE, f"silver.refine_{table}", "silver", table, ds, silver, input_rows=bronze
        )
        metrics.push_quarantine(PIPELINE, f"silver.refine_{table}", table, ds, rejected)
        metrics.push_gate_result(PIPELINE, f"silver.validate_{table}", "silver", table, ds, 12, 12)
        metrics.push_duplicate_keys(PIPELINE, f"silver.validate_{table}", "silver", table, ds, 0)
        metrics.push_task_duration(PIPELINE, f"bronze.ingest_{table}", ds, 8.0 + day, "success")
    metrics.push_layer_rows(PIPELINE, "gold.build_gold", "gold", "fct_orders", ds, 1_020 + day)
    metrics.push_gate_result(PIPELINE, "gold.validate_gold", "gold", "fct_orders", ds, 6, 6)
    metrics.push_run_status(PIPELINE, ds, f"scheduled__{ds}", "success", 240.0 + day)
    metrics.push_last_success(PIPELINE)


@pytest.fixture(scope="module")
def two_daily_runs(monitoring_stack, wait_until):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MEDALLION_PUSHGATEWAY_URL", monitoring_stack.url("pushgateway"))
        push_daily_run("2026-11-20", 0, None)
        # Prometheus must scrape the first run before the second replaces it.
        wait_until(
            lambda: monitoring_stack.query(f'medallion_run_success{{pipeline="{PIPELINE}"}}')
        )
        push_daily_run("2026-11-21", 1, "2026-11-20")
    wait_until(
        lambda: monitoring_stack.query(
            f'ALERTS{{alertname="RowCountDrop", alertstate="firing", pipeline="{PIPELINE}"}}'
        )
    )
    return monitoring_stack


@pytest.mark.parametrize("panel", panel_queries(), ids=lambda panel: panel.panel)
def test_panel_query_returns_data(two_daily_runs, panel, wait_until):
    wait_until(lambda: two_daily_runs.query(panel.expr), timeout_seconds=10)


def panel_values(stack, title: str, label: str, **matching: str) -> dict[str, float]:
    """The panel's current values for PIPELINE only, as {value of `label`: value}."""
    (query,) = [q for q in panel_queries(variables={"$pipeline": PIPELINE}) if q.panel == title]
    return {
        series["metric"][label]: float(series["value"][1])
        for series in stack.query(query.expr)
        if matching.items() <= series["metric"].items()
    }


def test_panels_show_the_pushed_numbers(two_daily_runs):
    share = panel_values(two_daily_runs, "Quarantine share", "table")
    assert share == {
        table: pytest.approx(20 / 1_040 if table == "orders" else 0) for table in BRONZE_ROWS
    }

    against_before = panel_values(
        two_daily_runs, "Rows against the delivery before", "table", layer="bronze"
    )
    assert against_before == {
        table: pytest.approx(today / before) for table, (before, today) in BRONZE_ROWS.items()
    }

    volumes = panel_values(
        two_daily_runs, "Rows per layer and table (latest delivery)", "table", layer="silver"
    )
    assert volumes == {
        table: today - sum(QUARANTINE.get(table, {}).values())
        for table, (_, today) in BRONZE_ROWS.items()
    }


def test_every_panel_uses_the_provisioned_datasource():
    provisioning = monitoring_dir() / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
    (datasource,) = yaml.safe_load(provisioning.read_text())["datasources"]
    assert {query.datasource_uid for query in panel_queries()} == {datasource["uid"]}


def test_dashboards_are_valid_json_with_fixed_uids():
    uids = [json.loads(path.read_text())["uid"] for path in dashboard_files()]
    assert uids and all(uids) and len(set(uids)) == len(uids)
