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
    path_parts = F.split(F.col("_metadata.file_path"), "/")
    return raw.select(
        *[F.col(name) for name in data_columns],
        F.col(CORRUPT_RECORD),
        F.lit(ingested_at).cast("timestamp").alias("_ingested_at"),
        F.concat_ws(
            "/",
            F.element_at(path_parts, -3),
            F.element_at(path_parts, -2),
            F.element_at(path_parts, -1),
        ).alias("_source_file"),
        # to_json keeps nulls and column boundaries apart: ("a", null) != (null, "a").
        F.sha2(F.to_json(F.struct(*data_columns, CORRUPT_RECORD)), 256).alias("_row_hash"),
        F.lit(ds).alias(PARTITION_COLUMN),
    )
