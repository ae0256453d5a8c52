"""Benchmark the pipeline against the DuckDB floor: `python -m medallion.bench --scale 1m`.

Generates (or reuses) the landing data of a scale, runs every stage of one daily run as
its own process and the DuckDB floor beside it, then the extra measurements asked for
(`--with ...`), and writes docs/benchmarks/<name>.md and .json. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from medallion.bench import extras
from medallion.bench.duckdb_floor import run_script
from medallion.bench.measure import StageFailedError
from medallion.bench.report import (
    command_line,
    layer_rows,
    machine_info,
    stage_rows,
    write_report,
)
from medallion.bench.stages import run_floor, run_ours
from medallion.bench.workspace import SCALES, Workspace, delivery_dates
from medallion.settings import load_settings

log = logging.getLogger("medallion.bench")

EXTRAS = ("parse", "dbt", "airflow", "incremental")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    repo = load_settings().home
    parser = argparse.ArgumentParser(prog="python -m medallion.bench", description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="1m")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--grouping",
        choices=["task", "layer"],
        default="task",
        help="task: a process per table and step, as Airflow tasks (default); "
        "layer: one process per step for all tables (one Spark application per layer)",
    )
    parser.add_argument(
        "--with",
        dest="extras",
        default=",".join(EXTRAS),
        help=f"extra measurements, comma-separated, from {','.join(EXTRAS)} (or 'none')",
    )
    parser.add_argument(
        "--incremental-scale",
        choices=list(SCALES),
        default="10k",
        help="orders a day of the 1-day vs 30-day history runs",
    )
    parser.add_argument(
        "--spark-conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Spark SQL setting for every Spark stage, e.g. spark.sql.shuffle.partitions=64 "
        "(repeatable; settings fixed at JVM start, like the driver's memory, do not apply)",
    )
    parser.add_argument("--work-dir", type=Path, default=repo / ".bench")
    parser.add_argument("--out-dir", type=Path, default=repo / "docs" / "benchmarks")
    parser.add_argument("--name", default="latest", help="report file name (without suffix)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    args = parse_arguments(argv)
    chosen = [] if args.extras == "none" else args.extras.split(",")
    unknown = sorted(set(chosen) - set(EXTRAS))
    if unknown:
        raise SystemExit(f"unknown --with {unknown}; choose from {EXTRAS}")
    machine = machine_info()
    workspace = Workspace(args.work_dir.resolve())
    scale = SCALES[args.scale]
    [ds] = delivery_dates(1)
    landing = workspace.landing(scale, 1, args.seed)
    home = workspace.prepare_home()

    spark_conf = dict(setting.split("=", 1) for setting in args.spark_conf)
    os.environ["MEDALLION_BENCH_SPARK_CONF"] = json.dumps(spark_conf)
    run_name = f"{scale.name}-{args.grouping}"
    data_dir = workspace.new_run(run_name, landing)
    log.info("ours: %s, %s grouping, data in %s", scale.name, args.grouping, data_dir)
    ours: list = []
    try:
        run_ours(home, data_dir, ds, args.grouping, workspace.logs(run_name), ours)
    except StageFailedError as error:
        # A stage that cannot finish at this scale is a finding: report what was measured.
        report = {
            "scale": scale.name,
            "orders_per_day": scale.orders_per_day,
            "grouping": args.grouping,
            "spark_conf": spark_conf,
            "command": command_line(),
            "machine": machine,
            "stages": stage_rows(ours, []),
            "layers": [],
            "sections": {"Stopped": [f"The run stopped: {str(error).splitlines()[0]}"]},
            "failed": str(error),
        }
        json_path, md_path = write_report(report, args.out_dir, args.name)
        raise SystemExit(f"{error}\npartial report: {md_path}") from error
    log.info("floor: DuckDB on the same landing files")
    floor = run_floor(home, data_dir, data_dir / "floor", ds, workspace.logs(f"{run_name}-floor"))
    agreement = run_script(
        "compare_gold",
        {
            "ours": str(data_dir / "lake" / "gold" / "ecommerce" / "agg_daily_sales.parquet"),
            "floor": str(data_dir / "floor" / "gold" / "agg_daily_sales.parquet"),
        },
    )
    stages = stage_rows(ours, floor)
    report = {
        "scale": scale.name,
        "orders_per_day": scale.orders_per_day,
        "grouping": args.grouping,
        "spark_conf": spark_conf,
        "seed": args.seed,
        "ds": ds,
        "command": command_line(),
        "machine": machine,
        "stages": stages,
        "floor_stages": [measurement.to_dict() for measurement in floor],
        "layers": layer_rows(stages),
        "floor_agrees_with_gold": agreement,
        "sections": {"Floor agrees with our gold": extras.agreement_lines(agreement)},
    }
    # Written now and after each extra measurement, so what is done survives a failure.
    json_path, md_path = write_report(report, args.out_dir, args.name)
    for extra in chosen:
        log.info("extra measurement: %s", extra)
        report[extra] = extras.MEASUREMENTS[extra](workspace, home, args)
        report["sections"][extras.TITLES[extra]] = extras.lines(extra, report[extra])
        write_report(report, args.out_dir, args.name)
    print(md_path.read_text(encoding="utf-8"))
    print(f"written: {md_path} and {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
