"""What every job's `main()` shares: the arguments naming one table and date, and a
local SparkSession for running the job by hand with spark-submit."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable


def table_date_parser(description: str) -> argparse.ArgumentParser:
    """A parser for `--dataset`, `--table` and `--ds`; a job may add its own arguments."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--table", required=True)
    parser.add_argument("--ds", required=True, help="delivery date, YYYY-MM-DD")
    return parser


def run_with_local_session(app_name: str, job: Callable) -> None:
    """Run `job(spark)` on a local SparkSession, logging to the terminal, then stop Spark."""
    from spark.session import local_session

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    spark = local_session(app_name)
    try:
        job(spark)
    finally:
        spark.stop()
