"""A report for another team, built from published gold: what a downstream DAG does.

The `ecommerce_report` DAG runs whenever the gold gate of `ecommerce_daily` has published
the mart it reads (Airflow asset `gold.ecommerce.agg_daily_sales`). It writes

    data/reports/ecommerce/daily_revenue.csv    order_date, category, revenue, cost, margin

one row per day and product category (the mart's regions and segments summed), every day
gold holds, so the file is the same whichever run wrote it last.
"""

from __future__ import annotations

from pathlib import Path

from medallion.lake import gold_dir
from medallion.settings import load_settings

MART = "agg_daily_sales"


def report_path(dataset: str) -> Path:
    return load_settings().data_dir / "reports" / dataset / "daily_revenue.csv"


# Sums of the mart's decimal columns stay exact decimals (no float noise in the CSV).
DAILY_REVENUE_SQL = """
    select
        order_date,
        category,
        sum(revenue) as revenue,
        sum(cost) as cost,
        cast(round((sum(revenue) - sum(cost)) / nullif(sum(revenue), 0), 4) as decimal(9, 4))
            as margin
    from read_parquet(?)
    group by order_date, category
    order by order_date, category
"""


def daily_revenue(mart_file: Path, report_file: Path) -> dict:
    """Sum a daily-sales mart over regions and segments per day and category; write CSV.

    margin = (revenue - cost) / revenue, empty when there was no revenue.
    """
    import duckdb
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    if not mart_file.exists():
        raise FileNotFoundError(
            f"{mart_file} does not exist: the gold gate has not published {MART} yet "
            "(run the dataset's pipeline first)"
        )
    with duckdb.connect() as con:
        report = con.sql(DAILY_REVENUE_SQL, params=[str(mart_file)]).to_arrow_table()
        [(mart_rows,)] = con.execute(
            "select count(*) from read_parquet(?)", [str(mart_file)]
        ).fetchall()
    report_file.parent.mkdir(parents=True, exist_ok=True)
    partial = report_file.with_suffix(".csv.partial")
    pa_csv.write_csv(report, partial)
    partial.replace(report_file)  # readers never see half a file
    return {
        "report": str(report_file),
        "rows": report.num_rows,
        "days": len(pc.unique(report["order_date"])),
        "mart_rows": mart_rows,
    }


def daily_revenue_step(dataset: str, triggering_events: list[dict]) -> dict:
    """The report task: which published partitions triggered it, then the report."""
    result = daily_revenue(gold_dir(dataset) / f"{MART}.parquet", report_path(dataset))
    result["triggered_by"] = triggering_events
    print(
        f"{dataset} daily revenue: {result['rows']} rows ({result['days']} days) from "
        f"{result['mart_rows']} rows of gold {MART} -> {result['report']}; "
        f"triggered by {triggering_events or 'a manual run'}"
    )
    return result
