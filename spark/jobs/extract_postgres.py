"""Job: extract one day's changed rows of a PostgreSQL table into the landing zone.

Reads the rows whose version column (`updated_at`) changed since the previous date's
extraction (medallion.watermarks) through Spark's JDBC reader, and writes them as that
date's delivery in the contract's format and folder, `data/landing/<dataset>/<folder>/<ds>/`:
CSV with a header of the contract's columns, UTC timestamps `YYYY-MM-DD HH:MM:SS`. The
ingest -> refine -> gold path then runs unchanged, whether the rows came from a file
export or from the database.

Re-running a date re-extracts that date's recorded window (a row changed again since then
has moved on to a later window, as the database keeps only its current version).

The time filter is a Spark column expression, which Spark pushes into the database's
query as a typed predicate: no SQL text is ever built from values.

By hand (the JDBC driver must be on Spark's classpath):
    spark-submit --jars /usr/share/java/postgresql.jar spark/jobs/extract_postgres.py \\
        --dataset ecommerce --table orders --ds 2026-11-01 \\
        --url jdbc:postgresql://127.0.0.1:5432/shop --user shop   # password: PGPASSWORD
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from medallion.contracts import Contract, load_contract
from medallion.lake import landing_dir
from medallion.source_records import count_source_records
from medallion.watermarks import Window, record_window, start_after, window_of
from spark.jobs.command_line import run_with_local_session, table_date_parser
from spark.session import configure_job

log = logging.getLogger(__name__)

TIMESTAMP_FORMAT = "yyyy-MM-dd HH:mm:ss"


@dataclass(frozen=True)
class JdbcSource:
    """Where a source database is and how to log in (the password never shows in logs)."""

    url: str
    user: str
    password: str = field(repr=False)
    driver: str = "org.postgresql.Driver"


def read_table(spark: SparkSession, source: JdbcSource, contract: Contract) -> DataFrame:
    """The table named by the contract; timestamps without time zone stay as written."""
    return (
        spark.read.format("jdbc")
        .option("url", source.url)
        .option("driver", source.driver)
        .option("user", source.user)
        .option("password", source.password)
        # A quoted identifier of a table named in a contract, never user input.
        .option("dbtable", '"' + contract.table.replace('"', '""') + '"')
        .option("preferTimestampNTZ", "true")
        .load()
    )


def _ntz(text: str):
    return F.lit(text).cast("timestamp_ntz")


def rows_in_window(frame: DataFrame, version_column: str, after: str | None, until) -> DataFrame:
    """Rows with `after < version` and the upper bound `until(version_column)`."""
    version = F.col(version_column)
    condition = until(version)
    if after is not None:
        condition = condition & (version > _ntz(after))
    return frame.filter(condition)


def as_landing_csv(frame: DataFrame, contract: Contract) -> DataFrame:
    """The contract's columns in contract order, as the strings a file export holds."""
    formatted = []
    for column in contract.columns:
        value = F.col(column.name)
        if column.type == "timestamp":
            value = F.date_format(value, TIMESTAMP_FORMAT)
        elif column.type == "date":
            value = F.date_format(value, "yyyy-MM-dd")
        formatted.append(value.cast("string").alias(column.name))
    return frame.select(*formatted)


def write_delivery(frame: DataFrame, contract: Contract, ds: str) -> list[Path]:
    """Replace the date's landing folder with the rows as CSV part files."""
    target = landing_dir(contract.dataset, contract.source_folder, ds)
    staging = target.with_name(f".{ds}.extracting")
    shutil.rmtree(staging, ignore_errors=True)
    # RFC 4180 quoting ("" inside quotes) as the shop's file exports have it, and values
    # kept exactly as stored: Spark's CSV writer trims spaces unless told otherwise, and
    # a padded " Paid " is the kind of thing bronze must keep for silver to clean.
    (
        frame.write.option("header", True)
        .option("escape", '"')
        .option("ignoreLeadingWhiteSpace", False)
        .option("ignoreTrailingWhiteSpace", False)
        .csv(str(staging))
    )
    parts = sorted(staging.glob("part-*.csv"))
    if not parts:  # no rows: a header-only file still says "delivered, nothing changed"
        parts = [staging / "part-empty.csv"]
        parts[0].write_text(",".join(contract.column_names) + "\n", encoding="utf-8")
    for number, part in enumerate(parts):
        part.rename(staging / f"{contract.table}-jdbc-part-{number:05d}.csv")
    for leftover in staging.iterdir():  # Spark's _SUCCESS and .crc files
        if not leftover.name.startswith(f"{contract.table}-jdbc-part-"):
            leftover.unlink()
    shutil.rmtree(target, ignore_errors=True)
    os.replace(staging, target)
    return sorted(target.glob("*.csv"))


def run(spark: SparkSession, dataset: str, table: str, ds: str, source: JdbcSource) -> dict:
    """Extract the rows of `<dataset>.<table>` changed in `ds`'s window; return the counts."""
    configure_job(spark)
    contract = load_contract(dataset, table)
    table_rows = read_table(spark, source, contract)
    version = contract.version_column
    window = window_of(dataset, table, ds)
    if window is None:
        # A new date: everything changed since the last window, up to the end of the day.
        after = start_after(dataset, table, ds)
        day_end = f"{date.fromisoformat(ds) + timedelta(days=1)} 00:00:00"
        candidates = rows_in_window(table_rows, version, after, lambda v: v < _ntz(day_end))
        latest = candidates.agg(F.date_format(F.max(version), TIMESTAMP_FORMAT)).first()[0]
        window = Window(after=after, through=latest or after)
    if window.through is None:
        changed = table_rows.limit(0)
    else:
        changed = rows_in_window(
            table_rows, version, window.after, lambda v: v <= _ntz(window.through)
        )
    files = write_delivery(as_landing_csv(changed, contract), contract, ds)
    # Counted in the files written, as the bronze gate will count them.
    rows = sum(count_source_records(path, "csv") for path in files)
    record_window(dataset, table, ds, Window(window.after, window.through, rows))
    log.info(
        "%s.%s %s: %s rows changed after %s through %s -> %s",
        dataset, table, ds, f"{rows:,}", window.after or "the beginning", window.through,
        files[0].parent,
    )  # fmt: skip
    return {
        "dataset": dataset,
        "table": table,
        "ds": ds,
        "layer": "landing",
        "rows": rows,
        "after": window.after,
        "through": window.through,
        "files": [path.name for path in files],
    }


def main() -> None:
    parser = table_date_parser(__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="jdbc:postgresql://host:port/database")
    parser.add_argument("--user", required=True)
    args = parser.parse_args()
    source = JdbcSource(args.url, args.user, os.environ.get("PGPASSWORD", ""))
    run_with_local_session(
        f"extract_{args.dataset}_{args.table}",
        lambda spark: run(spark, args.dataset, args.table, args.ds, source),
    )


if __name__ == "__main__":
    main()
