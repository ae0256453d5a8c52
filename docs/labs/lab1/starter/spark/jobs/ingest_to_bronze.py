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
from medallion.file_screening import screen_delivery
from medallion.lake import write_commit_marker
from spark.jobs.command_line import run_with_local_session, table_date_parser
from spark.landing import landing_files, read_delivery
from spark.partitions import count_partition_rows, replace_partition
from spark.session import configure_job
from spark.transforms.ingest import add_ingestion_metadata

log = logging.getLogger(__name__)


def run(spark: SparkSession, dataset: str, table: str, ds: str) -> dict:
    """Ingest `<dataset>.<table>` for delivery date `ds`; return what was loaded."""
    configure_job(spark)
    contract = load_contract(dataset, table)
    files = landing_files(contract, ds)
    screen_delivery(contract, files, ds)
    # TODO (Lab 1, milestone 6): count the records the landing files hold, without
    # Spark: `count_source_records(path, contract.source_format, contract.source_encoding,
    # contract.source_delimiter)` from medallion/source_records.py counts one file. Sum it over
    # `files` into `source_rows`. It is the number bronze must match: a reader that
    # silently drops or splits rows shows up as a difference.

    delivered, data_columns = read_delivery(spark, contract, files)
    # One timestamp for the whole delivery: every row and the commit marker carry it.
    ingested_at = datetime.now(UTC)
    bronze = add_ingestion_metadata(delivered, data_columns, ds, ingested_at)
    replace_partition(bronze, "bronze", dataset, table, ds)
    rows = count_partition_rows(spark, "bronze", dataset, table, ds)
    # TODO (Lab 1, milestone 6): the commit marker is the partition's receipt. Add
    # "source_rows" (the landing count above) and "ingested_at" (`ingested_at.isoformat()`)
    # so anyone can compare what arrived with what was loaded, and when. The bronze
    # quality gate reads "source_rows" from here.
    stats = {
        "rows": rows,
        "source_files": [path.name for path in files],
        "extra_columns": [name for name in data_columns if name not in contract.column_names],
    }
    write_commit_marker("bronze", dataset, table, ds, stats)
    # TODO (Lab 1, milestone 5): log one line with `log.info(...)` saying what happened in
    # numbers: the table and date, the rows written to bronze, the number of files, the
    # rows the files hold, and when the delivery was ingested. That line is what an
    # on-call engineer reads first in the task log.
    return {"dataset": dataset, "table": table, "ds": ds, "layer": "bronze", **stats}


def main() -> None:
    args = table_date_parser(__doc__.splitlines()[0]).parse_args()
    run_with_local_session(
        f"ingest_{args.dataset}_{args.table}",
        lambda spark: run(spark, args.dataset, args.table, args.ds),
    )


if __name__ == "__main__":
    main()
