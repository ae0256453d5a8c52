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
deleted, are never touched. `--check` writes nothing and exits 1 when a file is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from medallion.contracts import list_tables, load_contract
from medallion.scaffold.dbt_models import is_generated, model_files
from medallion.settings import load_settings


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
        return 1 if drifted or suites_status else 0
    for path in drifted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path], encoding="utf-8")
        print(f"written: {_relative(path, home)}")
    print(f"dbt: {len(drifted)} of {len(files)} generated files rewritten from the contracts")
    return suites_status


if __name__ == "__main__":
    sys.exit(main())
