"""Job: clean one delivery date of a bronze table into silver and quarantine.

Silver gets the rows that keep every promise of the contract, typed and de-duplicated
(one row per key per delivery, the latest version). Every other row goes to quarantine
with the reason it was rejected, so silver + quarantine = bronze for every date.

By hand:
    spark-submit spark/jobs/refine_to_silver.py --dataset ecommerce --table orders --ds 2026-11-01
"""

from __future__ import annotations

import logging

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from medallion.contracts import Contract, load_contract
from medallion.lake import (
    PARTITION_COLUMN,
    partition_dir,
    read_commit_marker,
    write_commit_marker,
)
from spark.jobs.command_line import run_with_local_session, table_date_parser
from spark.partitions import clear_partition, read_partition, replace_partition
from spark.schemas import raw_read_schema
from spark.session import configure_job
from spark.transforms.refine import REJECT_REASON, flag_rows, select_quarantine, select_silver

log = logging.getLogger(__name__)

# The columns ingest adds to the delivered ones, with their types in bronze.
BRONZE_METADATA_TYPES = {
    "_ingested_at": T.TimestampType(),
    "_source_file": T.StringType(),
    "_row_hash": T.StringType(),
    PARTITION_COLUMN: T.StringType(),
}


def run(spark: SparkSession, dataset: str, table: str, ds: str) -> dict:
    """Refine `<dataset>.<table>` for delivery date `ds`; return the row accounting."""
    configure_job(spark)
    contract = load_contract(dataset, table)
    bronze = _read_bronze(spark, contract, ds)
    # Cached because three actions read it: the counts and the two writes.
    flagged = flag_rows(bronze, contract).cache()
    try:
        counts = {
            row[REJECT_REASON]: row["count"]
            for row in flagged.groupBy(REJECT_REASON).count().collect()
        }
        silver_rows = counts.pop(None, 0)
        quarantined_by_reason = dict(sorted(counts.items()))
        quarantined = sum(quarantined_by_reason.values())
        _write(select_silver(flagged, contract), "silver", dataset, table, ds, silver_rows)
        _write(
            select_quarantine(flagged, bronze.columns),
            "quarantine",
            dataset,
            table,
            ds,
            quarantined,
        )
    finally:
        flagged.unpersist()

    bronze_rows = silver_rows + quarantined
    write_commit_marker(
        "quarantine",
        dataset,
        table,
        ds,
        {"rows": quarantined, "rows_by_reason": quarantined_by_reason},
    )
    write_commit_marker(
        "silver",
        dataset,
        table,
        ds,
        {
            "rows": silver_rows,
            "bronze_rows": bronze_rows,
            "quarantined": quarantined,
            "quarantined_by_reason": quarantined_by_reason,
        },
    )
    reasons = ", ".join(f"{reason}: {n:,}" for reason, n in quarantined_by_reason.items())
    log.info(
        "%s.%s %s: %s bronze -> %s silver, %s quarantined%s",
        dataset,
        table,
        ds,
        f"{bronze_rows:,}",
        f"{silver_rows:,}",
        f"{quarantined:,}",
        f" ({reasons})" if reasons else "",
    )
    return {
        "dataset": dataset,
        "table": table,
        "ds": ds,
        "layer": "silver",
        "bronze_rows": bronze_rows,
        "rows": silver_rows,
        "quarantined": quarantined,
        "quarantined_by_reason": quarantined_by_reason,
    }


def _read_bronze(spark: SparkSession, contract: Contract, ds: str) -> DataFrame:
    """The bronze partition of `ds`. An empty delivery (the contract's `allow_empty`) left
    no parquet file, so nothing to read a schema from: it is the contract's, with no rows."""
    dataset, table = contract.dataset, contract.table
    bronze = partition_dir("bronze", dataset, table, ds)
    if read_commit_marker("bronze", dataset, table, ds) and not any(bronze.glob("*.parquet")):
        schema = raw_read_schema(contract.column_names)
        for name, kind in BRONZE_METADATA_TYPES.items():
            schema = schema.add(name, kind)
        return spark.createDataFrame([], schema)
    return read_partition(spark, "bronze", dataset, table, ds)


def _write(frame, layer: str, dataset: str, table: str, ds: str, expected_rows: int) -> None:
    if expected_rows:
        replace_partition(frame, layer, dataset, table, ds)
    else:
        clear_partition(layer, dataset, table, ds)


def main() -> None:
    args = table_date_parser(__doc__.splitlines()[0]).parse_args()
    run_with_local_session(
        f"refine_{args.dataset}_{args.table}",
        lambda spark: run(spark, args.dataset, args.table, args.ds),
    )


if __name__ == "__main__":
    main()
