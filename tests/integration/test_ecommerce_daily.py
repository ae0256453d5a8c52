"""The whole ecommerce_daily DAG on generated data, run through Airflow.

What must hold:
- every gold figure (revenue and order count per day, category and region) equals an
  independent recomputation with plain DuckDB SQL from the landing files;
- silver + quarantine = bronze for every table and delivery date (counted from parquet);
- running a date again leaves gold exactly as it was.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from medallion.contracts import list_tables
from medallion.generate.ecommerce import generate_ecommerce

pytestmark = pytest.mark.integration

DATES = ["2026-11-01", "2026-11-02"]
REFERENCE_SQL = (Path(__file__).parent / "reference_ecommerce.sql").read_text()
MARTS = ["fct_orders", "dim_customers", "dim_products", "agg_daily_sales"]


@pytest.fixture(scope="module")
def pipeline_run(airflow_runner):
    """Generate two days of deliveries and run the DAG for each date."""
    landing = airflow_runner.data_dir / "landing" / "ecommerce"
    generate_ecommerce(
        out_dir=landing,
        start=date.fromisoformat(DATES[0]),
        days=len(DATES),
        orders_per_day=300,
        seed=7,
    )
    for ds in DATES:
        airflow_runner.run_dag("ecommerce_daily", ds)
    return airflow_runner


def gold_snapshot(data_dir: Path) -> dict[str, list[tuple]]:
    """Every gold mart's rows, sorted, read from the warehouse."""
    with duckdb.connect(str(data_dir / "warehouse" / "ecommerce.duckdb"), read_only=True) as con:
        return {mart: sorted(con.table(mart).fetchall(), key=repr) for mart in MARTS}


def test_gold_sales_equal_independent_recomputation(pipeline_run):
    landing = pipeline_run.data_dir / "landing" / "ecommerce"
    globs = {
        table: str(landing / table / "*" / "*.csv")
        for table in ("customers", "products", "orders", "order_items")
    }
    con = duckdb.connect()
    expected = con.execute(REFERENCE_SQL, globs).fetchall()
    warehouse = pipeline_run.data_dir / "warehouse" / "ecommerce.duckdb"
    con.execute("attach ? as gold (read_only)", [str(warehouse)])
    actual = con.execute(
        "select order_date, category, region, sum(revenue), sum(order_count) "
        "from gold.main.agg_daily_sales group by all order by all"
    ).fetchall()
    assert len(expected) > 10, "the generated data should cover many day/category/region cells"
    assert actual == expected


def test_every_bronze_row_is_in_silver_or_quarantine(pipeline_run):
    lake = pipeline_run.data_dir / "lake"

    def rows(layer: str, table: str, ds: str) -> int:
        folder = lake / layer / "ecommerce" / table / f"ingest_date={ds}"
        if not any(folder.glob("*.parquet")):
            return 0
        query = "select count(*) from read_parquet(?)"
        return duckdb.execute(query, [str(folder / "*.parquet")]).fetchone()[0]

    for table in list_tables("ecommerce"):
        for ds in DATES:
            bronze = rows("bronze", table, ds)
            assert bronze > 0, f"{table} {ds}: bronze is empty"
            assert rows("silver", table, ds) + rows("quarantine", table, ds) == bronze, (table, ds)


def test_quarantine_holds_the_generated_quirks(pipeline_run):
    folder = pipeline_run.data_dir / "lake" / "quarantine" / "ecommerce" / "orders"
    reasons = {
        reason
        for (reason,) in duckdb.execute(
            "select distinct _reject_reason from read_parquet(?)", [str(folder / "*" / "*.parquet")]
        ).fetchall()
    }
    assert {"out_of_range:amount", "not_in_accepted_values:status", "duplicate_row"} <= reasons


def test_rerunning_a_date_leaves_gold_unchanged(pipeline_run):
    before = gold_snapshot(pipeline_run.data_dir)
    pipeline_run.run_dag("ecommerce_daily", DATES[0])
    assert gold_snapshot(pipeline_run.data_dir) == before
