"""A gate's frame read by the warm engine: the partition as a Spark (Connect) DataFrame.

The Spark side of medallion.bench.gate_engines: the same partition the pandas gate
reads (medallion.lake.audited_dir), and for silver orders the same business-rule column
(medallion.quality.business_rules), computed where the rows are instead of in pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from medallion.contracts import Contract, load_contract
from medallion.lake import audited_dir
from medallion.quality.frames import DEDUPLICATION_REASONS, REJECT_REASON, committed_marker

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def spark_partition(layer: str, contract: Contract, ds: str) -> DataFrame:
    """The audited partition as a DataFrame of the warm engine, with business columns."""
    from spark.session import session_of_connection

    spark = session_of_connection(f"gate_{layer}_{contract.table}")
    frame = _read(spark, layer, contract, ds)
    if (layer, contract.dataset, contract.table) == ("silver", "ecommerce", "orders"):
        frame = with_amount_minus_items_total(spark, frame, contract.dataset, ds)
    return frame


def _read(spark: SparkSession, layer: str, contract: Contract, ds: str) -> DataFrame:
    committed_marker(layer, contract, ds)
    folder = audited_dir(layer, contract.dataset, contract.table, ds)
    return spark.read.parquet(str(folder))


def with_amount_minus_items_total(
    spark: SparkSession, orders: DataFrame, dataset: str, ds: str
) -> DataFrame:
    """`amount` minus Σ quantity × unit_price of the order's lines in this delivery, as a
    double; null where the lines came another day or one of them was quarantined."""
    from pyspark.sql import functions as F

    items_contract = load_contract(dataset, "order_items")
    items = _read(spark, "silver", items_contract, ds)
    rejected = (
        _read(spark, "quarantine", items_contract, ds)
        .where(~F.col(REJECT_REASON).isin(*DEDUPLICATION_REASONS))
        .select(F.trim(F.col("order_id")).alias("order_id"))
    )
    totals = (
        items.groupBy("order_id")
        .agg(F.sum(F.col("quantity") * F.col("unit_price")).alias("items_total"))
        .join(rejected, on="order_id", how="left_anti")
    )
    return orders.join(totals, on="order_id", how="left").select(
        *[orders[name] for name in orders.columns],
        (F.col("amount") - F.col("items_total")).cast("double").alias("_amount_minus_items_total"),
    )
