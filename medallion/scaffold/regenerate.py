"""Rewrite everything derived from the data contracts, or check that nothing drifted.

    make contracts          python -m medallion.scaffold.regenerate
    make lint               python -m medallion.scaffold.regenerate --check

The contract is the single source of a table. After it changes (a new key, a column, a
range), these follow it:

| derived                                   | of                    | written by                  |
|-------------------------------------------|-----------------------|-----------------------------|
| GX suites, validation definitions, checkpoints | every dataset    | medallion.quality.build_suites |
| dbt sources, staging models (key, de-duplication, tests), starter marts | scaffolded datasets | medallion.scaffold.dbt_models |

A dbt file is rewritten only while its first line carries dbt_models.GENERATED_MARK; the
hand-written models of ecommerce, attendance and sensors, and any file whose mark was
deleted, are never touched. They are checked instead: a staging model's de-duplication
(`partition by <key> order by <version> desc`) must use its contract's primary key and
version column, or the gold layer would keep other rows than silver's gate vouched for.
`--check` writes nothing and exits 1 when a file is stale or a staging model disagrees.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from medallion.contracts import list_tables, load_contract
from medallion.scaffold.dbt_models import is_generated, model_files
from medallion.settings import load_settings

# The de-duplication of a staging model, as the project writes it (see staging.sql.tmpl).
DEDUPLICATION = re.compile(r"partition by (?P<key>[^\n]+?)\s+order by (?P<version>\S+) desc")


def generated_dbt_files() -> dict[Path, str]:
    """Every generated dbt file of every scaffolded dataset: absolute path -> content."""
    from medallion.scaffold.project_files import duckdb_keywords

    project = load_settings().dbt_project_dir
    keywords = duckdb_keywords()
    files: dict[Path, str] = {}
    for dataset in scaffolded_datasets():
        contracts = [load_contract(dataset, table) for table in list_tables(dataset)]
        for relative, content in model_files(contracts, keywords).items():
            path = project / relative
            if not path.exists() or is_generated(path):
                files[path] = content
    return files


def scaffolded_datasets() -> list[str]:
    """Datasets whose dbt sources file was generated from their contracts."""
    models = load_settings().dbt_project_dir / "models"
    return sorted(
        folder.name
        for folder in models.iterdir()
        if (sources := folder / "staging" / f"_{folder.name}__sources.yml").exists()
        and is_generated(sources)
    )


def staging_disagreements() -> list[str]:
    """Staging models whose de-duplication uses another key or version than the contract."""
    models = load_settings().dbt_project_dir / "models"
    found = []
    for folder in sorted(path for path in models.iterdir() if path.is_dir()):
        dataset = folder.name
        if not (load_settings().contracts_dir / dataset).is_dir():
            continue
        for table in list_tables(dataset):
            model = folder / "staging" / f"stg_{dataset}__{table}.sql"
            match = DEDUPLICATION.search(model.read_text("utf-8")) if model.exists() else None
            if match is None:
                continue  # no de-duplication written the usual way: nothing to compare
            contract = load_contract(dataset, table)
            key = [name.strip().strip('"') for name in match["key"].split(",")]
            version = match["version"].strip('"')
            if key != list(contract.primary_key) or version != contract.version_column:
                found.append(
                    f"{_relative(model, load_settings().home)} de-duplicates on {key} by "
                    f"{version}; data/contracts/{dataset}/{table}.yml says "
                    f"{list(contract.primary_key)} by {contract.version_column}"
                )
    return found


def stale(files: dict[Path, str]) -> list[Path]:
    return [path for path, text in files.items() if _read(path) != text]


def _relative(path: Path, home: Path) -> str:
    return str(path.relative_to(home)) if path.is_relative_to(home) else str(path)


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def main(argv: list[str] | None = None) -> int:
    from medallion.quality import build_suites

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    suites_status = build_suites.main(["--check"] if args.check else [])
    files = generated_dbt_files()
    drifted = stale(files)
    home = load_settings().home
    if args.check:
        for path in drifted:
            print(f"stale: {_relative(path, home)} (its contract changed)")
        if drifted:
            print("run `make contracts` and commit the result")
        return 1 if drifted or _report_disagreements() or suites_status else 0
    for path in drifted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path], encoding="utf-8")
        print(f"written: {_relative(path, home)}")
    print(f"dbt: {len(drifted)} of {len(files)} generated files rewritten from the contracts")
    return 1 if _report_disagreements() or suites_status else 0


def _report_disagreements() -> bool:
    """Print the hand-written staging models a contract change left behind; any found?"""
    disagreements = staging_disagreements()
    for disagreement in disagreements:
        print(f"out of step: {disagreement}: edit the model (it is hand-written)")
    return bool(disagreements)


if __name__ == "__main__":
    sys.exit(main())
