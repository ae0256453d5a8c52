"""One stage of the benchmark, run in a fresh process by medallion.bench.measure.

    python -m medallion.bench.stage spark ingest|refine <ds>[,<ds>...] <table> [<table> ...]
    python -m medallion.bench.stage gate bronze|silver|gold <ds> <table> [<table> ...]
    python -m medallion.bench.stage gold <ds>
    python -m medallion.bench.stage floor <sql file name> [<name>=<value> ...]

Each prints one JSON line on stdout: the rows the stage processed and the seconds spent
on start-up (Spark session, imports) apart from the work, so a report can tell the
fixed cost from the cost per row. Logs go to stderr.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time


def run_spark(job: str, dates: str, tables: list[str]) -> dict:
    """Run a Spark job (ingest_to_bronze or refine_to_silver) for tables on one session.

    With one table this is what one Airflow task does; with several it is one Spark
    application for a whole layer. `dates` may list several dates, comma-separated
    (building a history before the run that is measured).
    """
    started = time.perf_counter()
    from spark.jobs import ingest_to_bronze, refine_to_silver
    from spark.session import session_of_connection

    module = ingest_to_bronze if job == "ingest" else refine_to_silver
    # A thin client of the warm engine under make bench, as the DAG's tasks are.
    spark = session_of_connection(f"bench_{job}")
    # `--spark-conf` of the benchmark: SQL settings tried at this scale (a connection's
    # extras do the same in the DAG), e.g. spark.sql.shuffle.partitions.
    for key, value in json.loads(os.environ.get("MEDALLION_BENCH_SPARK_CONF", "{}")).items():
        spark.conf.set(key, value)
    spark.range(1).count()  # the first action pays for starting the executors
    startup = time.perf_counter() - started
    rows, per_table = 0, {}
    try:
        for ds in dates.split(","):
            for table in tables:
                table_started = time.perf_counter()
                result = module.run(spark, "ecommerce", table, ds)
                table_rows = result["rows"] if job == "ingest" else result["bronze_rows"]
                rows += table_rows
                per_table[table] = {
                    "rows": table_rows,
                    "seconds": round(time.perf_counter() - table_started, 3),
                }
    finally:
        spark.stop()
    return {"rows": rows, "startup_seconds": round(startup, 3), "tables": per_table}


def run_gate(layer: str, ds: str, tables: list[str]) -> dict:
    """Run the quality gate of a layer for tables (gold: once, for every mart); start-up
    is importing Great Expectations and loading its context."""
    started = time.perf_counter()
    from medallion.quality import gates
    from medallion.quality.project import get_context

    get_context()
    startup = time.perf_counter() - started
    # As in the DAG: each gate publishes what it passed, for the next stage to read.
    results = [gates.audit_and_publish(layer, "ecommerce", table, ds) for table in tables]
    return {
        "rows": sum(result.rows for result in results),
        "startup_seconds": round(startup, 3),
        "expectations": sum(result.evaluated for result in results),
        "tables": {
            result.table: {"rows": result.rows, "seconds": result.duration_seconds}
            for result in results
        },
    }


def run_gold(ds: str) -> dict:
    """dbt build of the e-commerce marts; rows = the silver rows it reads."""
    from medallion.bench.lake_counts import committed_rows
    from medallion.gold import build_gold

    summary = build_gold("ecommerce")
    return {
        "rows": committed_rows("silver", "ecommerce"),
        "dbt_seconds": summary["seconds"],
        "models": summary["models"]["passed"],
        "tests": summary["tests"]["passed"] + summary["tests"]["warned"],
        "mart_rows": summary["mart_rows"],
        "model_seconds": _model_seconds(),
    }


def _model_seconds() -> dict:
    """Execution time of each model in the last dbt run, from dbt's run_results.json."""
    from medallion.gold import dbt_run_dirs
    from medallion.settings import load_settings

    target_dir, _ = dbt_run_dirs(load_settings(), "ecommerce")
    path = target_dir / "run_results.json"
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    return {
        result["unique_id"]: round(result["execution_time"], 3)
        for result in results
        if result["unique_id"].startswith("model.")
    }


def run_floor(script: str, parameters: list[str]) -> dict:
    """Run one SQL file of the DuckDB floor with its named parameters."""
    from medallion.bench.duckdb_floor import run_script

    values = dict(parameter.split("=", 1) for parameter in parameters)
    return run_script(script, values)


def main(argv: list[str]) -> dict:
    kind, *rest = argv
    if kind == "spark":
        job, ds, *tables = rest
        return run_spark(job, ds, tables)
    if kind == "gate":
        layer, ds, *tables = rest
        return run_gate(layer, ds, tables)
    if kind == "gold":
        return run_gold(rest[0])
    if kind == "floor":
        return run_floor(rest[0], rest[1:])
    raise SystemExit(f"unknown stage kind {kind!r}; see the module docstring")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")
    print(json.dumps(main(sys.argv[1:])))
