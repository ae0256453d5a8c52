"""Writing what a scaffolded dataset needs into the project and the data folder.

Everything goes where the pipeline's own settings point (medallion.settings): the
project under MEDALLION_HOME (contracts, GX suites, dbt models, the DAG) and the file
under MEDALLION_DATA_DIR. Pointing those variables at a copy of the project scaffolds
there instead, which is what the tests do.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from string import Template

from medallion.contracts import Contract, list_tables, load_contract
from medallion.scaffold.dbt_models import (
    GENERATED_MARK,
    TEMPLATES,
    is_generated,
    model_files,
    register_in_project,
)
from medallion.settings import load_settings
from spark.landing import FILE_SUFFIXES

# The first lines of a contract or DAG the scaffolder wrote say so.
SCAFFOLDER_MARK = "by `medallion new-dataset`"


def copy_to_landing(file: Path, dataset: str, contract: Contract, ds: str) -> Path:
    """Copy the file into its landing folder, with the suffix the reader looks for."""
    folder = load_settings().landing_dir / dataset / contract.source_folder / ds
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{file.stem}{FILE_SUFFIXES[contract.source_format]}"
    shutil.copyfile(file, target)
    return target


def write_contract(dataset: str, table: str, text: str) -> Path:
    path = load_settings().contracts_dir / dataset / f"{table}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_suites(dataset: str) -> list[Path]:
    """The bronze, silver, reconciliation and gold checks of the dataset: the same files
    `make contracts` (medallion.quality.build_suites) writes, for this dataset only."""
    # Imported here: Great Expectations takes seconds to import.
    from medallion.quality.build_suites import dataset_files
    from medallion.quality.project import gx_project_dir

    root = gx_project_dir()
    files = dataset_files(dataset)
    for path, content in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(content, encoding="utf-8")
    return [root / path for path in files]


def write_dbt_models(dataset: str) -> list[Path]:
    """The dataset's dbt sources, staging models and starter marts (all tables).

    A file that exists without dbt_models.GENERATED_MARK is the user's: it is left alone.
    """
    contracts = [load_contract(dataset, table) for table in list_tables(dataset)]
    project = load_settings().dbt_project_dir
    written = []
    for relative, content in model_files(contracts, duckdb_keywords()).items():
        path = project / relative
        if path.exists() and not is_generated(path):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    project_yml = project / "dbt_project.yml"
    text = project_yml.read_text(encoding="utf-8")
    updated = register_in_project(text, dataset)
    if updated != text:
        project_yml.write_text(updated, encoding="utf-8")
        written.append(project_yml)
    return written


def hand_written_files(dataset: str) -> list[Path]:
    """Files of a dataset that new-dataset would rewrite but the scaffolder did not make.

    The scaffolder's contracts, DAG and dbt files say so in their first lines. Anything
    else there was written by hand (the attendance DAG with its gold gate, its dbt YAML
    with unit tests) and must never be overwritten. A user's own marts are not listed:
    new-dataset leaves them alone.
    """
    settings = load_settings()
    staging = settings.dbt_project_dir / "models" / dataset / "staging"
    rewritten = [
        *sorted((settings.contracts_dir / dataset).glob("*.yml")),
        settings.home / "airflow" / "dags" / f"{dataset}_daily.py",
        *sorted(staging.glob(f"_{dataset}__*.yml")),
    ]
    return [path for path in rewritten if path.is_file() and not _made_by_scaffolder(path)]


def _made_by_scaffolder(path: Path) -> bool:
    with path.open(encoding="utf-8") as file:
        head = "".join(file.readline() for _ in range(5))
    return SCAFFOLDER_MARK in head or GENERATED_MARK in head


def write_dag(dataset: str, source_file: str, ds: str) -> Path:
    """`airflow/dags/<dataset>_daily.py`, listing every table of the dataset."""
    tables = list_tables(dataset)
    year, month, day = (int(part) for part in ds.split("-"))
    text = Template((TEMPLATES / "dag.py.tmpl").read_text(encoding="utf-8")).substitute(
        dag_id=f"{dataset}_daily",
        dataset=dataset,
        # The name lands in the DAG's docstring: a quote or backslash must stay text.
        file_name=source_file.replace("\\", "\\\\").replace('"', '\\"'),
        tables=repr(tables).replace("'", '"'),
        table_list=", ".join(tables),
        start_year=year,
        start_month=month,
        start_day=day,
    )
    path = load_settings().home / "airflow" / "dags" / f"{dataset}_daily.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def duckdb_keywords() -> set[str]:
    """Words DuckDB reserves: a column named so is quoted in the generated SQL."""
    import duckdb

    with duckdb.connect() as connection:
        rows = connection.execute(
            "select keyword_name from duckdb_keywords() where keyword_category = 'reserved'"
        ).fetchall()
    return {row[0] for row in rows}
