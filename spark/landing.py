"""Reading one day's delivery of a source from the landing zone.

How a file is read comes from the contract's `source:` block: the encoding, the CSV
delimiter, and the names columns have in the file. CSV follows RFC 4180, as Python's csv
module writes it: a field holding the delimiter, a quote or a line break is quoted, a
quote inside is doubled, and a quoted line break belongs to the field (one record may
span several lines). JSON lines are read one object per line; a nested object or list
under a top-level key stays one string column holding its JSON text (bronze keeps it as
delivered; dbt can pick it apart with DuckDB's json functions).
"""

from __future__ import annotations

import logging
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from medallion.contracts import Contract
from medallion.errors import EmptyFileError, MissingDeliveryError, SchemaMismatchError
from medallion.lake import landing_dir
from medallion.source_records import GZIP_SUFFIX, header_fields, name_gzip_as_gzip
from spark.schemas import CORRUPT_RECORD, raw_read_schema

log = logging.getLogger(__name__)

FILE_SUFFIXES = {"csv": ".csv", "jsonl": ".jsonl"}


def landing_files(contract: Contract, ds: str) -> list[Path]:
    """The files delivered for a table on a date (plain or gzip-compressed), sorted by name."""
    folder = landing_dir(contract.dataset, contract.source_folder, ds)
    suffix = FILE_SUFFIXES[contract.source_format]
    # `orders.csv.gz` is read as it is: Spark and the record count decompress gzip by name,
    # so gzip delivered as `orders.csv` is renamed to `orders.csv.gz` first.
    delivered = [
        path
        for pattern in (f"*{suffix}", f"*{suffix}{GZIP_SUFFIX}")
        for path in folder.glob(pattern)
        if not path.name.startswith((".", "_"))
    ]
    files = sorted(name_gzip_as_gzip(path) for path in delivered)
    if not files:
        raise MissingDeliveryError(
            f"no {suffix} files in {folder} for {contract.dataset}.{contract.table} on {ds}. "
            f"If the source delivers late this task will retry; otherwise generate or copy "
            f"the delivery there (make demo does: medallion generate {contract.dataset})."
        )
    return files


def csv_header(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> list[str]:
    """The column names on the first line of a CSV file, as written in the file."""
    header = header_fields(path, encoding, delimiter)
    if not header:
        raise EmptyFileError(
            f"{path} is empty or starts with a blank line: expected a header with the "
            f"contract's columns. Ask the source to re-deliver the file."
        )
    return header


def check_columns(path: Path, delivered: list[str], contract: Contract) -> list[str]:
    """Compare a file's columns with the contract; return the extra ones.

    A missing contract column is a permanent error (the file cannot be loaded as
    promised); an extra column is kept in bronze and reported, so nothing is lost.
    """
    missing = [name for name in contract.column_names if name not in delivered]
    if missing:
        raise SchemaMismatchError(
            f"{path} lacks contract columns {missing} of {contract.dataset}.{contract.table} "
            f"(it has {delivered}). Fix the export or update {contract.path} if the "
            f"source changed on purpose."
        )
    extra = [name for name in delivered if name not in contract.column_names]
    if extra:
        log.warning("%s has columns not in the contract, kept in bronze: %s", path, extra)
    return extra


def read_delivery(
    spark: SparkSession, contract: Contract, files: list[Path], multi_line: bool = True
) -> tuple[DataFrame, list[str]]:
    """Read a day's files with an all-string schema taken from the contract.

    Returns the rows and the names of the data columns (contract columns first, then any
    extra delivered columns). Rows the parser cannot split keep their raw line in
    `_corrupt_record` instead of failing the read.

    `multi_line=False` is for CSV files known to hold no record spanning lines
    (`scan_source_file` tells): Spark then reads a large file in pieces, one per core,
    where a multi-line read must parse each file from start to end in one task.
    """
    if contract.source_format == "jsonl":
        return _read_json_lines(spark, contract, files), contract.column_names

    renamed = contract.renamed_from_source()
    files_by_header: dict[tuple[str, ...], list[str]] = {}
    columns = list(contract.column_names)
    for path in files:
        in_file = csv_header(path, contract.source_encoding, contract.source_delimiter)
        delivered = [renamed.get(name, name) for name in in_file]
        for extra in check_columns(path, delivered, contract):
            if extra not in columns:
                columns.append(extra)
        files_by_header.setdefault(tuple(delivered), []).append(str(path))
    frames = [
        _csv_reader(spark, contract, list(header), multi_line).csv(paths).select("*", "_metadata")
        for header, paths in files_by_header.items()
    ]
    combined = frames[0]
    for frame in frames[1:]:
        combined = combined.unionByName(frame, allowMissingColumns=True)
    return combined, columns


def _csv_reader(spark: SparkSession, contract: Contract, header: list[str], multi_line: bool):
    """A CSV reader for files with this header, honouring the contract's source block."""
    return (
        spark.read.schema(raw_read_schema(header))
        .option("header", True)
        .option("sep", contract.source_delimiter)
        .option("encoding", contract.source_spark_encoding)
        # RFC 4180: a quoted field may hold line breaks, a quote inside is doubled.
        .option("multiLine", multi_line)
        .option("quote", '"')
        .option("escape", '"')
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
    )


def _read_json_lines(spark: SparkSession, contract: Contract, files: list[Path]) -> DataFrame:
    """JSON lines read by the keys in the file, then renamed to the contract's names.

    A value under a string column that is an object or a list is kept as its JSON text.
    """
    renamed = contract.renamed_from_source()
    to_source = {name: source for source, name in renamed.items()}
    keys = [to_source.get(name, name) for name in contract.column_names]
    frame = (
        spark.read.schema(raw_read_schema(keys))
        .option("encoding", contract.source_spark_encoding)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
        .json([str(path) for path in files])
    )
    # The hidden _metadata column is selected before renaming, while the frame is still
    # the file scan that provides it.
    return frame.select("*", "_metadata").withColumnsRenamed(renamed)
