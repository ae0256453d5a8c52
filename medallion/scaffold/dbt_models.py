"""The dbt files of a scaffolded table: its source, a staging model and a starter mart.

| file                                                   | holds                              |
|--------------------------------------------------------|------------------------------------|
| `models/<dataset>/staging/_<dataset>__sources.yml`     | the silver parquet of every table  |
| `models/<dataset>/staging/stg_<dataset>__<table>.sql`  | the current version of every key   |
| `models/<dataset>/staging/_<dataset>__models.yml`      | key tests, accepted values         |
| `models/<dataset>/marts/<mart>.sql` and `.yml`         | the starter mart and its grain     |

The starter mart counts rows per day of the event-time column or the first date column
(`agg_<dataset>__<table>_daily`), else per value of a small category column
(`agg_<dataset>__<table>_by_<column>`), else in total (`agg_<dataset>__<table>_total`),
and sums the contract's `measure` (`total_<measure>`), if it names one. The gold gate
reconciles both with silver (medallion.quality.gold_suites.starter_marts). Model names are unique across the dbt project, so they
carry the dataset's name. It is a place to start: the user replaces it with the marts the
dataset is for.

The dataset's folders also need their materializations in `dbt_project.yml` (set per
folder, never per file): `register_in_project` adds them.

Each file starts with GENERATED_MARK: `make contracts` rewrites it from the contracts (a
changed key reaches the staging model's de-duplication), and `make lint` fails while it
differs. Deleting that first line makes a file hand-written: never rewritten again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

import yaml

from medallion.contracts import Contract

TEMPLATES = Path(__file__).parent / "templates"
GENERATED_MARK = "Generated from the contracts by `make contracts`"


def is_generated(path: Path) -> bool:
    """Whether a file was written from the contracts and may be rewritten from them."""
    with path.open(encoding="utf-8") as file:
        return GENERATED_MARK in file.readline()


INDENT = " " * 8


@dataclass(frozen=True)
class Mart:
    """The starter mart of a table: its name, grain and SQL pieces."""

    name: str
    grain: str | None  # the column it is unique on; None for a one-row total
    description: str
    select_columns: list[str]
    group_by: str


def model_files(contracts: list[Contract], keywords: set[str]) -> dict[Path, str]:
    """Every dbt file of the dataset, relative to the dbt project folder."""
    dataset = contracts[0].dataset
    staging = Path("models", dataset, "staging")
    marts = Path("models", dataset, "marts")
    files = {
        staging / f"_{dataset}__sources.yml": _dump(_sources(contracts)),
        staging / f"_{dataset}__models.yml": _dump(_staging_models(contracts, keywords)),
    }
    for contract in contracts:
        files[staging / f"stg_{dataset}__{contract.table}.sql"] = _sql_header(
            "edit the contract, not this file"
        ) + _staging_sql(contract, keywords)
        mart = starter_mart(contract, keywords)
        files[marts / f"{mart.name}.sql"] = _sql_header(
            "delete this line to make the mart yours"
        ) + _render(
            "mart.sql.tmpl",
            dataset=dataset,
            table=contract.table,
            select_columns=",\n".join(INDENT + line for line in mart.select_columns),
            group_by=mart.group_by,
        )
        files[marts / f"{mart.name}.yml"] = _dump(
            _mart_models(mart), "delete this line to make the mart yours"
        )
    return files


def starter_mart(contract: Contract, keywords: set[str]) -> Mart:
    """Rows per day, per category, or in total; plus the sum of the contract's measure."""

    def quote(name: str) -> str:
        return f'"{name}"' if name in keywords else name

    measure = contract.measure
    measures = [f"sum({quote(measure)}) as total_{measure}"] if measure else []
    category = next(
        (
            column.name
            for column in contract.columns
            if column.accepted_values and not column.nullable
        ),
        None,
    )
    table = contract.table
    dates = [column for column in contract.columns if column.type == "date" and not column.nullable]
    if contract.event_time_column or dates:
        event = (
            contract.column(contract.event_time_column) if contract.event_time_column else dates[0]
        )
        grain, day = event.name, quote(event.name)
        if event.type == "timestamp":  # created_at -> created_date
            grain = re.sub(r"_(at|ts|time|timestamp)$", "", event.name) + "_date"
            day = f"cast({quote(event.name)} as date)"
        return Mart(
            f"agg_{contract.dataset}__{table}_daily",
            grain,
            f"Rows of {table} per day of {event.name}.",
            [f"{day} as {grain}" if day != grain else grain, "count(*) as row_count", *measures],
            f"\n    group by {grain}",
        )
    if category:
        return Mart(
            f"agg_{contract.dataset}__{table}_by_{category}",
            category,
            f"Rows of {table} per {category}.",
            [quote(category), "count(*) as row_count", *measures],
            f"\n    group by {quote(category)}",
        )
    return Mart(
        f"agg_{contract.dataset}__{table}_total", None, f"Rows of {table} in total.",
        ["count(*) as row_count", *measures], "",
    )  # fmt: skip


def _staging_sql(contract: Contract, keywords: set[str]) -> str:
    def quote(name: str) -> str:
        return f'"{name}"' if name in keywords else name

    columns = [quote(name) for name in contract.column_names]
    if len(contract.primary_key) > 1:
        # One column holding the whole key, so dbt's unique test can check it.
        # One argument per line: a long key stays within sqlfluff's line length.
        parts = "".join(
            f",\n{INDENT}    cast({quote(name)} as varchar)" for name in contract.primary_key
        )
        columns.append(f"concat_ws(\n{INDENT}    '|'{parts}\n{INDENT}) as {contract.table}_key")
    return _render(
        "staging.sql.tmpl",
        dataset=contract.dataset,
        table=contract.table,
        version_column=contract.version_column,
        version_sql=quote(contract.version_column),
        key_list=", ".join(quote(name) for name in contract.primary_key),
        select_columns="".join(f"{INDENT}{column},\n" for column in columns),
    )


def _sources(contracts: list[Contract]) -> dict:
    dataset = contracts[0].dataset
    location = (
        'read_parquet(\'{{ env_var("MEDALLION_DATA_DIR") }}/lake/silver/'
        f"{dataset}/{{name}}/*/*.parquet', hive_partitioning = true)"
    )
    return {
        "version": 2,
        "sources": [
            {
                "name": dataset,
                "description": f"The silver layer of the {dataset} dataset (Spark refine step).",
                "config": {"meta": {"external_location": location}},
                "tables": [
                    {"name": contract.table, "description": contract.description}
                    for contract in contracts
                ],
            }
        ],
    }


def _staging_models(contracts: list[Contract], keywords: set[str]) -> dict:
    models = []
    for contract in contracts:
        columns = []
        for column in contract.columns:
            entry: dict = {"name": column.name, "description": column.description}
            if column.name in keywords:
                entry["quote"] = True  # a reserved word: the tests' SQL must quote it
            # Only what the view changes is tested: the grain. Nulls and accepted values
            # are checked by the silver gate (GX suites from the same contract).
            tests: list = []
            if len(contract.primary_key) == 1 and column.name in contract.primary_key:
                tests = ["unique"]
            if tests:
                entry["data_tests"] = tests
            columns.append(entry)
        if len(contract.primary_key) > 1:
            key = f"{contract.table}_key"
            columns.append(
                {
                    "name": key,
                    "description": f"The key {list(contract.primary_key)} in one column.",
                    "data_tests": ["unique"],
                }
            )
        models.append(
            {
                "name": f"stg_{contract.dataset}__{contract.table}",
                "description": f"Current version of every {contract.table} row, one per key.",
                "columns": columns,
            }
        )
    return {"version": 2, "models": models}


def _mart_models(mart: Mart) -> dict:
    columns = [{"name": "row_count", "description": "Rows counted.", "data_tests": ["not_null"]}]
    if mart.grain:
        grain = {
            "name": mart.grain,
            "description": "The grain.",
            "data_tests": ["unique", "not_null"],
        }
        columns.insert(0, grain)
    return {
        "version": 2,
        "models": [{"name": mart.name, "description": mart.description, "columns": columns}],
    }


def _render(template: str, **values: str) -> str:
    return Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)


def _sql_header(advice: str) -> str:
    return f"-- {GENERATED_MARK}: {advice}.\n"


def _dump(document: dict, advice: str = "edit the contracts, not this file") -> str:
    header = f"# {GENERATED_MARK}: {advice}.\n"
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def register_in_project(project_yml: str, dataset: str) -> str:
    """dbt_project.yml with the dataset's folders configured like every other dataset's.

    Added as text before the top-level `data_tests:` block, so the file's comments stay.
    """
    if dataset in (yaml.safe_load(project_yml)["models"]["medallion"] or {}):
        return project_yml
    block = "\n".join(
        [
            f"    {dataset}:  # scaffolded by medallion new-dataset",
            "      staging:",
            "        +materialized: view",
            "      marts:",
            "        +materialized: table",
            '        +post-hook: "{{ export_mart_to_gold_lake() }}"',
            "",
        ]
    )
    anchor = project_yml.find("\ndata_tests:")
    if anchor < 0:
        raise ValueError("dbt_project.yml has no top-level data_tests: block to insert before")
    before = project_yml[:anchor].rstrip("\n") + "\n"
    updated = before + block + project_yml[anchor:]
    if dataset not in yaml.safe_load(updated)["models"]["medallion"]:
        raise ValueError(f"could not add {dataset!r} under models: medallion: in dbt_project.yml")
    return updated
