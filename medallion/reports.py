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
COLUMNS = ["order_date", "category", "revenue", "cost", "margin"]


def report_path(dataset: str) -> Path:
    return load_settings().data_dir / "reports" / dataset / "daily_revenue.csv"


def daily_revenue(mart_file: Path, report_file: Path) -> dict:
    """Sum a daily-sales mart over regions and segments per day and category; write CSV.

    margin = (revenue - cost) / revenue, empty when there was no revenue.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    if not mart_file.exists():
        raise FileNotFoundError(
            f"{mart_file} does not exist: the gold gate has not published {MART} yet "
            "(run the dataset's pipeline first)"
        )
    sales = pq.read_table(mart_file, columns=["order_date", "category", "revenue", "cost"])
    totals = sales.group_by(["order_date", "category"]).aggregate(
        [("revenue", "sum"), ("cost", "sum")]
    )
    revenue = pc.cast(totals["revenue_sum"], pa.float64())
    cost = pc.cast(totals["cost_sum"], pa.float64())
    margin = pc.if_else(
        pc.equal(revenue, 0),
        pa.scalar(None, pa.float64()),
        pc.divide(pc.subtract(revenue, cost), revenue),
    )
    report = pa.table(
        {
            "order_date": totals["order_date"],
            "category": totals["category"],
            "revenue": pc.round(revenue, 2),
            "cost": pc.round(cost, 2),
            "margin": pc.round(margin, 4),
        }
    ).sort_by([("order_date", "ascending"), ("category", "ascending")])
    report_file.parent.mkdir(parents=True, exist_ok=True)
    partial = report_file.with_suffix(".csv.partial")
    pa_csv.write_csv(report, partial)
    partial.replace(report_file)  # readers never see half a file
    return {
        "report": str(report_file),
        "rows": report.num_rows,
        "days": len(pc.unique(report["order_date"])),
        "mart_rows": sales.num_rows,
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
