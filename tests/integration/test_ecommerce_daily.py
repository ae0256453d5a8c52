"""The whole ecommerce_daily DAG on generated data, run through Airflow.

What must hold:
- every gold figure (revenue and order count per day, category and region) equals an
  independent recomputation with plain DuckDB SQL from the landing files;
- silver + quarantine = bronze for every table and delivery date (counted from parquet);
- running a date again leaves gold exactly as it was;
- `make trace` follows an order to the landing lines, the version and the gold rows an
  independent recomputation from the landing files finds (support/trace_reference.py).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from support import trace_reference
from support.airflow import ECOMMERCE_DATES

from medallion.contracts import list_tables
from medallion.trace import trace_record
from medallion.trace_report import format_trace

pytestmark = pytest.mark.integration

REFERENCE_SQL = (Path(__file__).parent / "reference_ecommerce.sql").read_text()
MARTS = ["fct_orders", "dim_customers", "dim_products", "agg_daily_sales", "agg_customer_segments"]


def gold_snapshot(data_dir: Path) -> dict[str, list[tuple]]:
    """Every gold mart's rows, sorted, read from the warehouse."""
    with duckdb.connect(str(data_dir / "warehouse" / "ecommerce.duckdb"), read_only=True) as con:
        return {mart: sorted(con.table(mart).fetchall(), key=repr) for mart in MARTS}


def test_gold_sales_equal_independent_recomputation(ecommerce_run):
    landing = ecommerce_run.data_dir / "landing" / "ecommerce"
    globs = {
        table: str(landing / table / "*" / "*.csv")
        for table in ("customers", "products", "orders", "order_items")
    }
    con = duckdb.connect()
    expected = con.execute(REFERENCE_SQL, globs).fetchall()
    warehouse = ecommerce_run.data_dir / "warehouse" / "ecommerce.duckdb"
    con.execute("attach ? as gold (read_only)", [str(warehouse)])
    actual = con.execute(
        "select order_date, category, region, sum(revenue), sum(order_count) "
        "from gold.main.agg_daily_sales group by all order by all"
    ).fetchall()
    assert len(expected) > 10, "the generated data should cover many day/category/region cells"
    assert actual == expected


def test_every_bronze_row_is_in_silver_or_quarantine(ecommerce_run):
    lake = ecommerce_run.data_dir / "lake"

    def rows(layer: str, table: str, ds: str) -> int:
        folder = lake / layer / "ecommerce" / table / f"ingest_date={ds}"
        if not any(folder.glob("*.parquet")):
            return 0
        query = "select count(*) from read_parquet(?)"
        return duckdb.execute(query, [str(folder / "*.parquet")]).fetchone()[0]

    for table in list_tables("ecommerce"):
        for ds in ECOMMERCE_DATES:
            bronze = rows("bronze", table, ds)
            assert bronze > 0, f"{table} {ds}: bronze is empty"
            assert rows("silver", table, ds) + rows("quarantine", table, ds) == bronze, (table, ds)


def test_quarantine_holds_the_generated_quirks(ecommerce_run):
    folder = ecommerce_run.data_dir / "lake" / "quarantine" / "ecommerce" / "orders"
    reasons = {
        reason
        for (reason,) in duckdb.execute(
            "select distinct _reject_reason from read_parquet(?)", [str(folder / "*" / "*.parquet")]
        ).fetchall()
    }
    assert {"out_of_range:amount", "not_in_accepted_values:status", "duplicate_row"} <= reasons


def test_rerunning_a_date_leaves_gold_unchanged(ecommerce_run):
    before = gold_snapshot(ecommerce_run.data_dir)
    ecommerce_run.run_dag("ecommerce_daily", ECOMMERCE_DATES[0])
    assert gold_snapshot(ecommerce_run.data_dir) == before


def test_trace_follows_an_order_delivered_twice_to_gold(ecommerce_run, monkeypatch):
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(ecommerce_run.data_dir))
    landing = ecommerce_run.data_dir / "landing" / "ecommerce"
    expected = trace_reference.order_delivered_twice(landing)
    order_id = expected["order_id"]

    trace = trace_record("ecommerce", order_id)

    lines = trace_reference.landing_lines(
        landing, "orders", lambda record: record["order_id"].strip() == order_id
    )
    assert trace_reference.located(trace) == lines
    assert trace.winner.ingest_date == expected["delivered_on"]
    [fact] = trace.gold["fct_orders"]
    assert (fact["status"], fact["amount"]) == (expected["status"], expected["amount"])
    cells = [
        (row["order_date"], row["category"], row["region"], row["segment"])
        for row in trace.gold["agg_daily_sales"]
    ]
    assert sorted(cells) == expected["cells"]
    assert f"line {lines[-1][2]}" in format_trace(trace)


def test_trace_names_the_quarantine_reason_of_a_rejected_order(ecommerce_run, monkeypatch):
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(ecommerce_run.data_dir))
    order_id = trace_reference.negative_amount_order(
        ecommerce_run.data_dir / "landing" / "ecommerce"
    )

    trace = trace_record("ecommerce", order_id)

    assert [delivery.outcome for delivery in trace.deliveries] == [
        "quarantine: out_of_range:amount"
    ]
    assert trace.winner is None
    assert trace.gold["fct_orders"] == []


def test_lineage_events_name_what_each_task_read_and_wrote(ecommerce_run):
    ds = ECOMMERCE_DATES[1]
    events = ecommerce_run.lineage_events("ecommerce_daily", ds)
    run_id = events[0]["run"]["facets"]["airflow"]["dagRun"]["run_id"]
    tasks = ecommerce_run.task_ids("ecommerce_daily", run_id)
    assert len(tasks) > 20
    sent = {(event["job"]["name"], event["eventType"]) for event in events}
    for task_id in tasks:
        job = f"ecommerce_daily.{task_id}"
        assert {(job, "START"), (job, "COMPLETE")} <= sent, f"{task_id} sent no START/COMPLETE"

    def datasets(event: dict, side: str) -> set[str]:
        assert all(dataset["namespace"] == "file" for dataset in event[side])
        return {dataset["name"] for dataset in event[side]}

    done = {
        event["job"]["name"].removeprefix("ecommerce_daily."): event
        for event in events
        if event["eventType"] == "COMPLETE" and event["job"]["name"] != "ecommerce_daily"
    }
    data = ecommerce_run.data_dir.resolve()
    lake, landing = data / "lake", data / "landing" / "ecommerce"
    for table in list_tables("ecommerce"):
        ingest, refine = done[f"bronze.ingest_{table}"], done[f"silver.refine_{table}"]
        assert datasets(ingest, "inputs") == {str(landing / table / ds)}
        assert datasets(ingest, "outputs") == {str(lake / "bronze" / "ecommerce" / table)}
        assert datasets(refine, "inputs") == {str(lake / "bronze" / "ecommerce" / table)}
        assert datasets(refine, "outputs") == {
            str(lake / layer / "ecommerce" / table) for layer in ("silver", "quarantine")
        }
    gold = done["gold.build_gold"]
    assert datasets(gold, "inputs") == {
        str(lake / "silver" / "ecommerce" / table) for table in list_tables("ecommerce")
    }
    assert datasets(gold, "outputs") == {
        str(data / "warehouse" / "ecommerce.duckdb"),
        str(lake / "gold" / "ecommerce"),
    }
    summary = done["publish_run_summary"]
    assert (summary["inputs"], summary["outputs"]) == ([], [])
    print(f"\nOpenLineage events of one ecommerce_daily run: {len(events)} for {len(tasks)} tasks")
