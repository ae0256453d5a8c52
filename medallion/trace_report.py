"""`make trace`: the answer of medallion.trace printed the way a person reads it.

python -m medallion.trace_report DATASET KEY
"""

from __future__ import annotations

import argparse
import sys

from medallion.contracts import load_contract
from medallion.lake import warehouse_path
from medallion.settings import load_settings
from medallion.trace import Trace, TraceError, trace_record


def format_trace(trace: Trace) -> str:
    """The trace as a person reads it, layer by layer."""
    settings = load_settings()
    key = ", ".join(f"{name}={value}" for name, value in trace.key.items())
    lines = [
        f"{trace.dataset}.{trace.table} {key}",
        "",
        "landing -> bronze -> silver, per delivery:",
    ]
    for delivery in trace.deliveries:
        line = f"line {delivery.line}" if delivery.line else "line not found (file changed?)"
        lines.append(
            f"  {delivery.ingest_date}  {delivery.source_file} {line}  "
            f"bronze _row_hash {delivery.row_hash[:12]}  -> {delivery.outcome}"
            + ("   <- the version gold uses" if delivery.is_winner else "")
        )
        values = ", ".join(f"{name}={value}" for name, value in delivery.values.items())
        lines.append(f"      delivered: {values}")
    winner = trace.winner
    if not trace.gold:
        lines += [
            "",
            f"gold: no warehouse at {warehouse_path(trace.dataset)} yet (run the gold step)",
        ]
        return "\n".join(lines)
    if winner is None:
        lines += ["", "no version reached gold: every delivery of this key was quarantined"]
    else:
        contract = load_contract(trace.dataset, trace.table)
        lines += [
            "",
            f"winner: the {winner.ingest_date} delivery (latest {contract.version_column} "
            "across deliveries, as the staging model picks it)",
        ]
    relative = warehouse_path(trace.dataset).relative_to(settings.data_dir)
    lines += ["", f"gold rows it contributes to ({relative}):"]
    for mart, rows in trace.gold.items():
        lines.append(f"  {mart}: {len(rows)} row{'s' if len(rows) != 1 else ''}")
        for row in rows:
            lines.append(
                "      " + ", ".join(f"{name}={_show(value)}" for name, value in row.items())
            )
    return "\n".join(lines)


def _show(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="medallion trace",
        description="Follow one record from its landing file to the gold rows it feeds.",
    )
    parser.add_argument("dataset", help="ecommerce | attendance | sensors")
    parser.add_argument("key", help="the record's primary key; composite keys comma-separated")
    args = parser.parse_args(argv)
    try:
        print(format_trace(trace_record(args.dataset, args.key)))
    except TraceError as error:
        print(f"make trace: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
