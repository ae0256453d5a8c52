"""Incremental cost: the same daily run with 1 day of history and with 30 days.

Each run has its own lake. The history days are loaded first (ingest and refine of every
table, one Spark application per layer, not measured); then the next day's whole run is
measured stage by stage. Spark and the gates read only the day's partitions; dbt rebuilds
gold from all committed silver, so gold is where history can cost.
"""

from __future__ import annotations

from pathlib import Path

from medallion.bench.measure import child_environment, measure, stage_command
from medallion.bench.stages import run_ours
from medallion.bench.workspace import HISTORY_START, SCALES, delivery_dates
from medallion.contracts import list_tables

HISTORIES = (1, 30)


def incremental_cost(workspace, home: Path, args) -> dict:
    scale = SCALES[args.incremental_scale]
    dates = delivery_dates(max(HISTORIES) + 1, HISTORY_START)
    landing = workspace.landing(scale, len(dates), args.seed, HISTORY_START)
    runs = {}
    for history in HISTORIES:
        name = f"history-{scale.name}-{history}d"
        data_dir = workspace.new_run(name, landing)
        _load_history(home, data_dir, dates[:history], workspace.logs(f"{name}-load"))
        ds = dates[history]
        stages = run_ours(home, data_dir, ds, args.grouping, workspace.logs(name))
        runs[f"{history}d"] = {
            "ds": ds,
            "seconds": round(sum(stage.seconds for stage in stages), 2),
            "stages": {stage.name: stage.seconds for stage in stages},
        }
    one, thirty = runs["1d"]["seconds"], runs["30d"]["seconds"]
    gold = {key: run["stages"]["gold/build_gold"] for key, run in runs.items()}
    return {
        "scale": scale.name,
        "orders_per_day": scale.orders_per_day,
        "grouping": args.grouping,
        "runs": runs,
        "ratio_30d_to_1d": round(thirty / one, 2),
        "gold_ratio_30d_to_1d": round(gold["30d"] / gold["1d"], 2),
    }


def _load_history(home: Path, data_dir: Path, dates: list[str], log_dir: Path) -> None:
    env = child_environment(home, data_dir)
    tables = list_tables("ecommerce")
    for job in ("ingest", "refine"):
        measure(job, stage_command("spark", job, ",".join(dates), *tables), env, log_dir)
