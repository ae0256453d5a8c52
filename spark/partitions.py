"""Writing and reading one delivery-date partition of a lake table."""

from __future__ import annotations

import shutil

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from medallion.lake import PARTITION_COLUMN, partition_dir, read_commit_marker, table_dir


def replace_partition(frame: DataFrame, layer: str, dataset: str, table: str, ds: str) -> None:
    """Write `frame` as the `ingest_date=<ds>` partition of a table, replacing the old one.

    With `partitionOverwriteMode=dynamic` (set by spark.session.configure_job) Spark writes
    into a staging folder and swaps in only the partitions present in `frame` when the
    job commits: a crash before the commit leaves the previous partition untouched. The
    caller writes the commit marker afterwards (medallion.lake.write_commit_marker).
    """
    (
        frame.write.mode("overwrite")
        .partitionBy(PARTITION_COLUMN)
        .parquet(str(table_dir(layer, dataset, table)))
    )


def clear_partition(layer: str, dataset: str, table: str, ds: str) -> None:
    """Remove a partition whose new content is empty.

    A dynamic overwrite with no rows writes nothing, so an earlier run's rows would
    otherwise survive a re-run that (correctly) produced none.
    """
    shutil.rmtree(partition_dir(layer, dataset, table, ds), ignore_errors=True)


def read_partition(spark: SparkSession, layer: str, dataset: str, table: str, ds: str) -> DataFrame:
    """Read one committed partition, with its `ingest_date` column restored."""
    if read_commit_marker(layer, dataset, table, ds) is None:
        raise FileNotFoundError(
            f"{layer}.{dataset}.{table} has no committed partition for {ds} at "
            f"{partition_dir(layer, dataset, table, ds)}: run the step that writes it first."
        )
    return spark.read.parquet(str(partition_dir(layer, dataset, table, ds))).withColumn(
        PARTITION_COLUMN, F.lit(ds)
    )


def count_partition_rows(spark: SparkSession, layer: str, dataset: str, table: str, ds: str) -> int:
    """Rows on disk in a just-written partition, summed from the parquet footers.

    Read with pyarrow, not Spark: a Spark job for a count costs a second or more in a
    freshly started JVM, the footers a few milliseconds. (`spark` is kept so every
    partition helper takes the same arguments.)
    """
    import pyarrow.parquet as pq

    folder = partition_dir(layer, dataset, table, ds)
    return sum(pq.ParquetFile(path).metadata.num_rows for path in folder.glob("*.parquet"))
