"""The whole ecommerce_daily DAG on generated data, run through Airflow.

What must hold:
- every gold figure (revenue and order count per day, category and region) equals an
  independent recomputation with plain DuckDB SQL from the landing files;
- silver + quarantine = bronze for every table and delivery date (counted from parquet);
- running a date again leaves gold exactly as it was.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from support.airflow import ECOMMERCE_DATES

from medallion.contracts import list_tables

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
