"""Reading one day's delivery of a source from the landing zone."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from medallion.contracts import Contract
from medallion.errors import EmptyFileError, MissingDeliveryError, SchemaMismatchError
from medallion.lake import landing_dir
from spark.schemas import CORRUPT_RECORD, raw_read_schema

log = logging.getLogger(__name__)

FILE_SUFFIXES = {"csv": ".csv", "jsonl": ".jsonl"}


def landing_files(contract: Contract, ds: str) -> list[Path]:
    """The files delivered for a table on a date, sorted by name."""
    folder = landing_dir(contract.dataset, contract.source_folder, ds)
    suffix = FILE_SUFFIXES[contract.source_format]
    files = sorted(
        path for path in folder.glob(f"*{suffix}") if not path.name.startswith((".", "_"))
    )
    if not files:
        raise MissingDeliveryError(
            f"no {suffix} files in {folder} for {contract.dataset}.{contract.table} on {ds}. "
            f"If the source delivers late this task will retry; otherwise generate or copy "
            f"the delivery there (make demo does: medallion generate {contract.dataset})."
        )
    return files


def csv_header(path: Path) -> list[str]:
    """The column names on the first line of a CSV file."""
    with path.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        first_line = handle.readline()
    if not first_line.strip():
        raise EmptyFileError(
            f"{path} is empty or starts with a blank line: expected a header with the "
            f"contract's columns. Ask the source to re-deliver the file."
        )
    return [name.strip() for name in next(csv.reader(io.StringIO(first_line)))]


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


def count_source_records(path: Path, source_format: str) -> int:
    """Rows in a delivered file, counted without Spark: non-blank lines, less the header.

    The bronze gate compares this with what Spark loaded, so a reader that silently
    drops rows is caught.
    """
    with path.open("rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return lines - 1 if source_format == "csv" and lines else lines


def read_delivery(
    spark: SparkSession, contract: Contract, files: list[Path]
) -> tuple[DataFrame, list[str]]:
    """Read a day's files with an all-string schema taken from the contract.

    Returns the rows and the names of the data columns (contract columns first, then any
    extra delivered columns). Rows the parser cannot split keep their raw line in
    `_corrupt_record` instead of failing the read.
    """
    if contract.source_format == "jsonl":
        columns = contract.column_names
        frame = (
            spark.read.schema(raw_read_schema(columns))
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
            .json([str(path) for path in files])
        )
        return frame.select("*", "_metadata"), columns

    # Files with the same header are read together; differing headers are read apart and
    # lined up by column name (a column missing from one file is null there).
    files_by_header: dict[tuple[str, ...], list[str]] = {}
    columns = list(contract.column_names)
    for path in files:
        delivered = csv_header(path)
        for extra in check_columns(path, delivered, contract):
            if extra not in columns:
                columns.append(extra)
        files_by_header.setdefault(tuple(delivered), []).append(str(path))
    frames = [
        spark.read.schema(raw_read_schema(list(header)))
        .option("header", True)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
        .csv(paths)
        .select("*", "_metadata")
        for header, paths in files_by_header.items()
    ]
    combined = frames[0]
    for frame in frames[1:]:
        combined = combined.unionByName(frame, allowMissingColumns=True)
    return combined, columns
