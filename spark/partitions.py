"""Writing and reading one delivery-date partition of a lake table.

Jobs write a new version of a partition as a candidate (`replace_partition`,
`clear_partition`); the layer's gate audits it and medallion.publication puts it where
readers look. Jobs read only
published partitions (`read_partition`). See medallion/lake.py for the layout.
"""

from __future__ import annotations

import shutil

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from medallion.lake import PARTITION_COLUMN, candidate_dir, partition_dir, read_commit_marker


def replace_partition(frame: DataFrame, layer: str, dataset: str, table: str, ds: str) -> None:
    """Write `frame` (one delivery date) as the new version of partition `ingest_date=<ds>`:
    a candidate, which replaces the published partition once its gate passes.

    The candidate folder is replaced as a whole; the `ingest_date` column is not stored
    in the files (the folder name holds it, as in any partitioned parquet table). The
    caller writes the commit marker afterwards (medallion.lake.write_commit_marker).
    """
    folder = candidate_dir(layer, dataset, table, ds)
    frame.drop(PARTITION_COLUMN).write.mode("overwrite").parquet(str(folder))


def clear_partition(layer: str, dataset: str, table: str, ds: str) -> None:
    """An empty new version of a partition: the date was processed and produced no rows.

    Published, it replaces an earlier run's rows, which would otherwise survive a re-run
    that (correctly) produced none.
    """
    folder = candidate_dir(layer, dataset, table, ds)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def read_partition(spark: SparkSession, layer: str, dataset: str, table: str, ds: str) -> DataFrame:
    """Read one published partition, with its `ingest_date` column restored."""
    if read_commit_marker(layer, dataset, table, ds) is None:
        raise FileNotFoundError(
            f"{layer}.{dataset}.{table} has no published partition for {ds} at "
            f"{partition_dir(layer, dataset, table, ds)}: run the step that writes it, "
            "and its quality gate, first."
        )
    return spark.read.parquet(str(partition_dir(layer, dataset, table, ds))).withColumn(
        PARTITION_COLUMN, F.lit(ds)
    )


def count_partition_rows(spark: SparkSession, layer: str, dataset: str, table: str, ds: str) -> int:
    """Rows on disk in a just-written partition (its candidate), from the parquet footers.

    Read with pyarrow, not Spark: a Spark job for a count costs a second or more in a
    freshly started JVM, the footers a few milliseconds. (`spark` is kept so every
    partition helper takes the same arguments.)
    """
    import pyarrow.parquet as pq

    folder = candidate_dir(layer, dataset, table, ds)
    return sum(pq.ParquetFile(path).metadata.num_rows for path in folder.glob("*.parquet"))
