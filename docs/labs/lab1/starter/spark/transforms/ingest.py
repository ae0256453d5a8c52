"""Landing rows -> bronze rows: keep every value as delivered and say where it came from."""

from __future__ import annotations

from datetime import datetime

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from medallion.lake import PARTITION_COLUMN
from spark.schemas import CORRUPT_RECORD

METADATA_COLUMNS = ["_ingested_at", "_source_file", "_row_hash"]


def add_ingestion_metadata(
    raw: DataFrame, data_columns: list[str], ds: str, ingested_at: datetime
) -> DataFrame:
    """Add the columns that make a bronze row traceable and comparable.

    - `_ingested_at`: when this delivery was loaded.
    - `_source_file`: the landing file the row came from (`<folder>/<ds>/<file>`).
    - `_row_hash`: a fingerprint of the delivered values, used to spot exact duplicates.
    - `ingest_date`: the delivery date; bronze is partitioned by it.

    Expects the reader's hidden `_metadata` column to still be available.
    """
    return raw.select(
        *[F.col(name) for name in data_columns],
        F.col(CORRUPT_RECORD),
        # TODO (Lab 1, milestone 3): the moment this delivery was loaded. Every row of one
        # run gets the same value: the `ingested_at` argument, as a timestamp column.
        F.lit(None).cast("timestamp").alias("_ingested_at"),
        # TODO (Lab 1, milestone 3): which landing file the row came from, written as
        # `<folder>/<ds>/<file>` (for example `orders/2026-11-01/orders-part-00000.csv`),
        # not the machine's full path. Spark gives every row read from a file the hidden
        # column `_metadata.file_path`; F.split and F.element_at can take its last parts.
        F.lit(None).cast("string").alias("_source_file"),
        # TODO (Lab 1, milestone 4): a fingerprint of the delivered values, so two rows
        # with exactly the same values get the same hash and any difference gives another
        # one. Hash the data columns and CORRUPT_RECORD only (not the file or the time:
        # a row delivered twice must get the same hash). F.sha2 of F.to_json of an
        # F.struct of the columns keeps nulls apart from empty strings.
        F.lit(None).cast("string").alias("_row_hash"),
        # Bronze is partitioned by delivery date: the writer needs this column.
        F.lit(ds).alias(PARTITION_COLUMN),
    )
