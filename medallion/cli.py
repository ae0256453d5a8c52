"""The `medallion` command: small helpers the Makefile and the labs call.

medallion generate ecommerce --days 3 --size small     write landing files
medallion generate attendance --days 3 --size small    (size = orders or students per day)
medallion generate sensors --hours 6 --size small      (hourly deliveries; devices = size / 10)
medallion summary ecommerce                            print what a run produced
medallion new-dataset NAME FILE [--table T]            draft a contract, scaffold a pipeline
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from medallion.settings import load_settings

SIZES = {"tiny": 50, "small": 500, "medium": 50_000, "large": 1_000_000, "xlarge": 10_000_000}
# What --size counts in each dataset's daily delivery.
SIZE_UNITS = {"ecommerce": "orders", "attendance": "students", "sensors": "devices x 10"}
DEVICES_PER_SIZE_UNIT = 10  # sensors: --size small = 50 devices, 600 readings an hour
DEFAULT_START = "2026-11-01"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="medallion", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write deterministic sample landing files")
    generate.add_argument("dataset", choices=sorted(SIZE_UNITS))
    generate.add_argument("--start", default=DEFAULT_START, help="first delivery date (YYYY-MM-DD)")
    generate.add_argument("--days", type=int, default=3, help="number of daily deliveries")
    generate.add_argument(
        "--hours", type=int, help="sensors: number of hourly deliveries (default: 24 x --days)"
    )
    generate.add_argument(
        "--size",
        choices=sorted(SIZES, key=SIZES.get),
        default="small",
        help="orders (ecommerce) or students (attendance) per day, devices x 10 (sensors): "
        + ", ".join(f"{k}={v:,}" for k, v in SIZES.items()),
    )
    generate.add_argument("--orders-per-day", type=int, help="ecommerce: overrides --size")
    generate.add_argument(
        "--products-from",
        choices=["files", "api"],
        default="files",
        help="ecommerce: products as landing files, or served by the catalogue API (labs)",
    )
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--out", type=Path, help="landing folder (default: data/landing)")

    summary = commands.add_parser("summary", help="print rows per layer, quarantine and gold")
    # Any dataset with contracts, generated or scaffolded: the summary reads only the lake.
    summary.add_argument("dataset", help="a dataset, i.e. a folder of data/contracts/")

    new = commands.add_parser("new-dataset", help="draft a contract and a pipeline from a file")
    new.add_argument("name", help="dataset name in snake_case (the DAG is <name>_daily)")
    new.add_argument("file", type=Path, help="a CSV or JSON-lines file under 100 MB")
    new.add_argument("--table", help="table name (default: the file name in snake_case)")
    new.add_argument("--date", help="delivery date of the file, YYYY-MM-DD (default: today)")

    gate = commands.add_parser(
        "gate", help="audit what a step wrote by hand and publish it if the gate passes"
    )
    gate.add_argument("layer", choices=["bronze", "silver", "gold"])
    gate.add_argument("dataset")
    gate.add_argument("table", help="the table (gold: any word, every mart is checked)")
    gate.add_argument("ds", help="delivery date, YYYY-MM-DD")

    args = parser.parse_args(argv)
    if args.command == "gate":
        return _gate(args)
    if args.command == "new-dataset":
        from medallion.scaffold.command import run

        return run(args.name, args.file, args.table, args.date)
    if args.command == "generate":
        return _generate(args)
    if args.command == "summary":
        from medallion.contracts import ContractError
        from medallion.summary import print_summary

        try:
            return print_summary(args.dataset)
        except ContractError as error:  # an unknown dataset: say so in one line
            print(f"medallion summary: {error}", file=sys.stderr)
            return 2
    return 2


def _gate(args: argparse.Namespace) -> int:
    """Write - audit - publish by hand: a job run by hand writes a candidate; this runs the
    layer's gate on it and publishes it, as the DAG's validate_* task does."""
    from medallion.quality.gates import audit_and_publish
    from medallion.quality.results import GateFailedError

    try:
        result = audit_and_publish(args.layer, args.dataset, args.table, args.ds)
    except GateFailedError as error:
        print(error, file=sys.stderr)
        return 1
    print(
        f"{args.layer} gate passed for {args.dataset}.{args.table} {args.ds}: "
        f"{result.passed}/{result.evaluated} expectations; published"
    )
    return 0


def _generate(args: argparse.Namespace) -> int:
    out = args.out or load_settings().landing_dir
    start = date.fromisoformat(args.start)
    if args.dataset == "sensors":
        from medallion.generate.sensors import generate_sensors

        devices = max(5, SIZES[args.size] // DEVICES_PER_SIZE_UNIT)
        hours = args.hours or 24 * args.days
        counts = generate_sensors(out / args.dataset, start, hours, devices, seed=args.seed)
    elif args.dataset == "attendance":
        from medallion.generate.attendance import generate_attendance

        counts = generate_attendance(
            out / args.dataset, start, args.days, students=SIZES[args.size], seed=args.seed
        )
    else:
        from medallion.generate.ecommerce import generate_ecommerce

        counts = generate_ecommerce(
            out_dir=out / args.dataset,
            start=start,
            days=args.days,
            orders_per_day=args.orders_per_day or SIZES[args.size],
            seed=args.seed,
        )
        if args.products_from == "api":
            from medallion.sources.catalogue_api import move_to_catalogue

            for folder in sorted((out / args.dataset / "products").iterdir()):
                print(f"  products of {folder.name} moved to {move_to_catalogue(folder)}")
    for source, per_day in counts.items():
        total = sum(per_day.values())
        print(f"  {source:<12} {total:>12,} rows over {len(per_day)} deliveries")
    print(f"landing files written to {out / args.dataset}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
