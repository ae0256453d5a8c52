"""Job: load one day's delivery of a source table from landing into bronze.

Bronze keeps every row exactly as delivered (all columns as strings), adds lineage
columns and is partitioned by delivery date. Re-running a date replaces that date only.
Files that cannot be read at all are moved to the file quarantine first and the job fails
without loading anything (medallion.file_screening).

By hand:
    spark-submit spark/jobs/ingest_to_bronze.py --dataset ecommerce --table orders --ds 2026-11-01
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pyspark.sql import SparkSession

from medallion.contracts import load_contract
from medallion.errors import EmptyDeliveryError
from medallion.file_screening import screen_delivery
from medallion.lake import write_commit_marker
from spark.jobs.command_line import run_with_local_session, table_date_parser
from spark.landing import landing_files, read_delivery
from spark.partitions import clear_partition, count_partition_rows, replace_partition
from spark.session import configure_job
from spark.transforms.ingest import add_ingestion_metadata

log = logging.getLogger(__name__)


def run(spark: SparkSession, dataset: str, table: str, ds: str) -> dict:
    """Ingest `<dataset>.<table>` for delivery date `ds`; return what was loaded."""
    configure_job(spark)
    contract = load_contract(dataset, table)
    files = landing_files(contract, ds)
    scans = screen_delivery(contract, files, ds)
    source_rows = sum(scan.records for scan in scans)
    if not source_rows and not contract.allow_empty:
        raise EmptyDeliveryError(
            f"{dataset}.{table} {ds}: the delivery holds no rows ({len(files)} file(s) with "
            f"a header only: {', '.join(path.name for path in files)}), and the contract does "
            f"not allow an empty delivery. Ask the source whether the day really had none; "
            f"if such days are normal, set `allow_empty: true` in {contract.path}; then "
            f"clear this task. The files stay in landing."
        )

    # Line by line unless a record spans lines: then Spark can split big files over cores.
    multi_line = any(scan.spans_lines for scan in scans)
    delivered, data_columns = read_delivery(spark, contract, files, multi_line)
    # One timestamp for the whole delivery: every row and the commit marker carry it.
    ingested_at = datetime.now(UTC)
    bronze = add_ingestion_metadata(delivered, data_columns, ds, ingested_at)
    if source_rows:
        replace_partition(bronze, "bronze", dataset, table, ds)
        rows = count_partition_rows(spark, "bronze", dataset, table, ds)
    else:
        clear_partition("bronze", dataset, table, ds)
        rows = 0
    stats = {
        "rows": rows,
        "source_rows": source_rows,
        "source_files": [path.name for path in files],
        "extra_columns": [name for name in data_columns if name not in contract.column_names],
        "ingested_at": ingested_at.isoformat(),
    }
    write_commit_marker("bronze", dataset, table, ds, stats)
    log.info(
        "%s.%s %s: %s rows from %s file(s) -> bronze (files hold %s rows), ingested at %s",
        dataset,
        table,
        ds,
        f"{rows:,}",
        len(files),
        f"{source_rows:,}",
        stats["ingested_at"],
    )
    return {"dataset": dataset, "table": table, "ds": ds, "layer": "bronze", **stats}


def main() -> None:
    args = table_date_parser(__doc__.splitlines()[0]).parse_args()
    run_with_local_session(
        f"ingest_{args.dataset}_{args.table}",
        lambda spark: run(spark, args.dataset, args.table, args.ds),
    )


if __name__ == "__main__":
    main()
