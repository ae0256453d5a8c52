"""Write the Great Expectations project's suites, validation definitions and checkpoints.

    python -m medallion.quality.build_suites           (re)write them from the contracts
    python -m medallion.quality.build_suites --check   exit 1 if a committed file is stale

For every table of every contract: a bronze, a silver and a silver_reconciliation
check; for every gold mart of the dataset: a gold check. Each check is three files,
all named after it (see medallion/quality/project.py). The data assets they point at are
declared by hand in great_expectations.yml. Ids are derived from names, so running the
command twice writes identical files, and tests can prove the committed files match.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from medallion.contracts import list_tables, load_contract
from medallion.quality.contract_suites import (
    bronze_expectations,
    silver_expectations,
    silver_reconciliation_expectations,
)
from medallion.quality.gold_suites import gold_expectations, marts
from medallion.quality.project import (
    BATCH_DEFINITION,
    DATA_DOCS_SITE,
    DATASOURCE,
    check_name,
    gx_project_dir,
    stable_id,
)
from medallion.settings import load_settings

CHECKPOINT_RESULT_FORMAT = "SUMMARY"  # counts and up to 20 example values per expectation
GENERATED_FOLDERS = ("expectations", "validation_definitions", "checkpoints")


def project_files() -> dict[Path, str]:
    """Every generated file of the GX project: path relative to the project -> content."""
    files: dict[Path, str] = {}
    for dataset in _datasets():
        files |= dataset_files(dataset)
    return files


def dataset_files(dataset: str) -> dict[Path, str]:
    """The generated GX files of one dataset: its tables' checks and its gold marts'."""
    files: dict[Path, str] = {}
    for table in list_tables(dataset):
        contract = load_contract(dataset, table)
        source = f"data/contracts/{dataset}/{table}.yml"
        files |= _check_files("bronze", dataset, table, bronze_expectations(contract), source)
        files |= _check_files("silver", dataset, table, silver_expectations(contract), source)
        files |= _check_files(
            "silver_reconciliation",
            dataset,
            table,
            silver_reconciliation_expectations(contract),
            source,
        )
    # A dataset scaffolded by `medallion new-dataset` gets its starter marts' checks.
    for mart in marts(dataset):
        source = "medallion/quality/gold_suites.py"
        files |= _check_files("gold", dataset, mart.name, gold_expectations(mart), source)
    return files


def _check_files(check: str, dataset: str, table: str, expectations: list, source: str) -> dict:
    name = check_name(check, dataset, table)
    bodies = {
        Path("expectations", *name.split(".")).with_suffix(".json"): _suite(
            name, expectations, source
        ),
        Path("validation_definitions", f"{name}.json"): _validation_definition(check, name),
        Path("checkpoints", f"{name}.json"): _checkpoint(name),
    }
    return {path: _to_json(body) for path, body in bodies.items()}


def _suite(name: str, expectations: list, source: str) -> dict:
    import great_expectations as gx

    suite = gx.ExpectationSuite(
        name=name,
        id=stable_id("suite", name),
        expectations=expectations,
        notes=f"Generated from {source} by `python -m medallion.quality.build_suites`; "
        "edit the source and regenerate, not this file.",
    )
    # ExpectationSuite logs and drops an invalid expectation instead of raising.
    if len(suite.expectations) != len(expectations):
        raise ValueError(f"suite {name}: an expectation was rejected by Great Expectations")
    for expectation in suite.expectations:
        identity = json.dumps(expectation.configuration.to_json_dict(), sort_keys=True)
        expectation.id = stable_id("expectation", f"{name}:{identity}")
    return suite.to_json_dict()


def _validation_definition(check: str, name: str) -> dict:
    datasource = _datasources()[DATASOURCE]
    asset = datasource["assets"][check]
    return {
        "data": {
            "asset": {"id": asset["id"], "name": check},
            "batch_definition": {
                "id": asset["batch_definitions"][BATCH_DEFINITION]["id"],
                "name": BATCH_DEFINITION,
            },
            "datasource": {"id": datasource["id"], "name": DATASOURCE},
        },
        "id": stable_id("validation_definition", name),
        "name": name,
        "suite": {"id": stable_id("suite", name), "name": name},
    }


def _checkpoint(name: str) -> dict:
    return {
        "actions": [
            {"name": "update_data_docs", "site_names": [DATA_DOCS_SITE], "type": "update_data_docs"}
        ],
        "id": stable_id("checkpoint", name),
        "name": name,
        "result_format": CHECKPOINT_RESULT_FORMAT,
        "validation_definitions": [{"id": stable_id("validation_definition", name), "name": name}],
    }


def _datasources() -> dict:
    config = yaml.safe_load((gx_project_dir() / "great_expectations.yml").read_text("utf-8"))
    return config["fluent_datasources"]


def _datasets() -> list[str]:
    root = load_settings().contracts_dir
    return sorted(folder.name for folder in root.iterdir() if folder.is_dir())


def _to_json(body: dict) -> str:
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def stale_files(files: dict[Path, str]) -> list[Path]:
    """Generated files whose committed copy is missing or different."""
    root = gx_project_dir()
    return [
        path
        for path, content in files.items()
        if not (root / path).exists() or (root / path).read_text("utf-8") != content
    ]


def orphan_files(files: dict[Path, str]) -> list[Path]:
    """Committed JSON files that nothing generates any more (a table or mart was removed)."""
    root = gx_project_dir()
    committed = [
        path.relative_to(root)
        for folder in GENERATED_FOLDERS
        for path in (root / folder).rglob("*.json")
    ]
    return sorted(path for path in committed if path not in files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    files = project_files()
    stale, orphans = stale_files(files), orphan_files(files)
    if args.check:
        for path in stale:
            print(f"stale: great_expectations/{path}")
        for path in orphans:
            print(f"no longer generated: great_expectations/{path}")
        if stale or orphans:
            print("run `make contracts` (python -m medallion.scaffold.regenerate) and commit")
        return 1 if stale or orphans else 0
    root = gx_project_dir()
    for path in stale:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(files[path], encoding="utf-8")
    for path in orphans:
        (root / path).unlink()
    print(
        f"{len(files)} files in {root}: {len(stale)} written, {len(orphans)} removed, "
        f"{len(files) - len(stale)} unchanged"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
