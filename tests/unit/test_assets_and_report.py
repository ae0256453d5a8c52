"""The medallion layers as Airflow assets (medallion/assets.py) and the report the
downstream DAG writes from published gold (medallion/reports.py)."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from airflow.sdk.execution_time.context import OutletEventAccessors

from medallion.assets import gold_assets, layer_asset, record_asset_events
from medallion.reports import daily_revenue


def gate_result(layer: str, table: str, rows: int, rows_by_table: dict | None = None) -> dict:
    """The fields of a gate's GateResult.to_dict() that the assets use."""
    return {
        "layer": layer,
        "dataset": "ecommerce",
        "table": table,
        "ingest_date": "2026-11-02",
        "rows": rows,
        "rows_by_table": rows_by_table or {table: rows},
    }


def test_an_asset_names_layer_dataset_and_table():
    asset = layer_asset("silver", "ecommerce", "orders")
    assert (asset.uri, asset.name, asset.group) == (
        "medallion://silver/ecommerce/orders",
        "silver.ecommerce.orders",
        "silver",
    )
    with pytest.raises(ValueError, match="layer must be one of bronze, silver, gold"):
        layer_asset("platinum", "ecommerce", "orders")


def test_a_passed_gate_records_partition_and_rows_on_each_asset_it_published():
    events = OutletEventAccessors()
    silver = layer_asset("silver", "ecommerce", "orders")
    record_asset_events(events, [silver], gate_result("silver", "orders", 10401))
    assert events[silver].extra == {"partition": "2026-11-02", "rows": 10401}

    marts = gold_assets("ecommerce", ["fct_orders", "agg_daily_sales"])
    gold = gate_result("gold", "marts", 12, {"fct_orders": 9, "agg_daily_sales": 3})
    record_asset_events(events, marts, gold)
    assert [events[mart].extra for mart in marts] == [
        {"partition": "2026-11-02", "rows": 9},
        {"partition": "2026-11-02", "rows": 3},
    ]


def test_an_outlet_the_gate_did_not_publish_is_a_wiring_error():
    stray = layer_asset("gold", "ecommerce", "dim_stores")
    gold = gate_result("gold", "marts", 9, {"fct_orders": 9})
    with pytest.raises(ValueError, match="medallion://gold/ecommerce/dim_stores is an outlet"):
        record_asset_events(OutletEventAccessors(), [stray], gold)


def test_daily_revenue_sums_regions_and_segments_per_day_and_category(tmp_path):
    rows = [
        # order_date, category, region, segment, revenue, cost
        (date(2026, 11, 1), "books", "north", "new", "100.00", "60.00"),
        (date(2026, 11, 1), "books", "south", "loyal", "50.50", "20.25"),
        (date(2026, 11, 1), "home", "north", "new", "0.00", "0.00"),
        (date(2026, 11, 2), "books", "north", "new", "10.00", "12.00"),
    ]
    columns = list(zip(*rows, strict=True))
    mart = tmp_path / "agg_daily_sales.parquet"
    pq.write_table(
        pa.table(
            {
                "order_date": pa.array(columns[0], pa.date32()),
                "category": columns[1],
                "region": columns[2],
                "segment": columns[3],
                "revenue": pa.array([Decimal(v) for v in columns[4]], pa.decimal128(18, 2)),
                "cost": pa.array([Decimal(v) for v in columns[5]], pa.decimal128(18, 2)),
            }
        ),
        mart,
    )
    report = tmp_path / "reports" / "daily_revenue.csv"

    result = daily_revenue(mart, report)

    expected = {}
    for day, category, _, _, revenue, cost in rows:
        total = expected.setdefault((str(day), category), [Decimal(0), Decimal(0)])
        total[0] += Decimal(revenue)
        total[1] += Decimal(cost)
    with report.open(newline="") as file:
        written = list(csv.DictReader(file))
    assert [(row["order_date"], row["category"]) for row in written] == sorted(expected)
    for row in written:
        revenue, cost = expected[(row["order_date"], row["category"])]
        assert Decimal(row["revenue"]) == revenue and Decimal(row["cost"]) == cost
        if revenue:
            assert float(row["margin"]) == pytest.approx(
                float((revenue - cost) / revenue), abs=1e-4
            )
        else:
            assert row["margin"] == "", "no revenue, no margin"
    assert result == {"report": str(report), "rows": 3, "days": 2, "mart_rows": 4}


def test_a_report_before_gold_is_published_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="has not published agg_daily_sales"):
        daily_revenue(tmp_path / "agg_daily_sales.parquet", tmp_path / "report.csv")
