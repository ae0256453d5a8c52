"""The stages of one daily run, ours and the floor's, each measured as its own process.

Ours, in DAG order (medallion/steps.py runs the same code inside Airflow tasks):

    bronze/ingest_<table>      Spark job spark/jobs/ingest_to_bronze.py
    bronze/validate_<table>    GX gate medallion.quality.gates.validate_bronze
    silver/refine_<table>      Spark job spark/jobs/refine_to_silver.py
    silver/validate_<table>    GX gate validate_silver
    gold/build_gold            dbt build (medallion.gold.build_gold)
    gold/validate_gold         GX gate validate_gold

`grouping="task"` runs every table in its own process, as an Airflow task does under a
real executor (a Java VM per Spark task); `grouping="layer"` runs each step for all
tables in one process (one Spark application per layer, one GX import per layer).

The floor runs the SQL files of medallion/bench/floor with DuckDB, one process each.
"""

from __future__ import annotations

import json
from pathlib import Path

from medallion.bench.measure import Measurement, child_environment, measure, stage_command
from medallion.contracts import list_tables, load_contract

DATASET = "ecommerce"
LAYERS = ("bronze", "silver", "gold")


def run_ours(
    home: Path, data_dir: Path, ds: str, grouping: str, log_dir: Path, measurements=None
) -> list:
    """Run and measure our pipeline's stages for one delivery date.

    Measurements are appended to `measurements` as stages finish, so a caller keeps them
    when a later stage fails.
    """
    env = child_environment(home, data_dir)
    tables = list_tables(DATASET)
    groups = [[table] for table in tables] if grouping == "task" else [tables]
    measurements = [] if measurements is None else measurements

    def run(name: str, *arguments: str) -> Measurement:
        measurement = measure(name, stage_command(*arguments), env, log_dir)
        measurements.append(measurement)
        return measurement

    for job, layer in (("ingest", "bronze"), ("refine", "silver")):
        for group in groups:
            run(f"{layer}/{job}_{_label(group)}", "spark", job, ds, *group)
        for group in groups:
            run(f"{layer}/validate_{_label(group)}", "gate", layer, ds, *group)
    run("gold/build_gold", "gold", ds)
    run("gold/validate_gold", "gate", "gold", ds, "marts")
    return measurements


def run_floor(home: Path, data_dir: Path, floor_dir: Path, ds: str, log_dir: Path) -> list:
    """Run and measure the DuckDB floor's stages on the same landing data."""
    env = child_environment(home, data_dir)
    for layer in ("bronze", "silver", "quarantine", "gold"):
        (floor_dir / layer).mkdir(parents=True, exist_ok=True)
    warehouse = str(floor_dir / "warehouse.duckdb")
    measurements = []

    def run(name: str, script: str, **parameters: str) -> None:
        arguments = [f"{key}={value}" for key, value in parameters.items()]
        command = stage_command("floor", script, *arguments)
        measurements.append(measure(name, command, env, log_dir))

    paths = {table: _layer_paths(floor_dir, table) for table in list_tables(DATASET)}
    for table, layer_paths in paths.items():
        contract = load_contract(DATASET, table)
        files = json.dumps(_landing_files(data_dir, contract, ds))
        run(f"bronze/ingest_{table}", f"ingest_{table}", files=files, ds=ds, **layer_paths[0])
        script = f"gate_bronze_{contract.source_format}"
        run(f"bronze/validate_{table}", script, files=files, **layer_paths[0])
    for table, layer_paths in paths.items():
        run(f"silver/refine_{table}", f"refine_{table}", **_all(layer_paths))
        run(f"silver/validate_{table}", f"gate_silver_{table}", **_all(layer_paths))
    silver = {table: layer_paths[1]["silver"] for table, layer_paths in paths.items()}
    silver.pop("events")  # no mart reads the click stream yet
    gold_folder = str(floor_dir / "gold")
    run("gold/build_gold", "gold", database=warehouse, gold_folder=gold_folder, **silver)
    run("gold/validate_gold", "gate_gold", database=warehouse)
    return measurements


def _label(tables: list[str]) -> str:
    return tables[0] if len(tables) == 1 else "all"


def _layer_paths(floor_dir: Path, table: str) -> list[dict[str, str]]:
    """The floor's parquet file of a table in bronze, and in silver and quarantine."""
    return [
        {"bronze": str(floor_dir / "bronze" / f"{table}.parquet")},
        {
            "silver": str(floor_dir / "silver" / f"{table}.parquet"),
            "quarantine": str(floor_dir / "quarantine" / f"{table}.parquet"),
        },
    ]


def _all(layer_paths: list[dict[str, str]]) -> dict[str, str]:
    return {key: value for paths in layer_paths for key, value in paths.items()}


def _landing_files(data_dir: Path, contract, ds: str) -> list[str]:
    suffix = ".jsonl" if contract.source_format == "jsonl" else ".csv"
    folder = data_dir / "landing" / DATASET / contract.source_folder / ds
    return sorted(str(path) for path in folder.glob(f"*{suffix}"))
