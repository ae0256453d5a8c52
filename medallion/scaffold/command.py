"""`medallion new-dataset NAME FILE`: draft a contract from a file and scaffold its pipeline.

    medallion new-dataset shop orders.csv --table orders --date 2026-11-20

1. Reads the file (medallion.scaffold.sniff), refusing what it cannot read safely.
2. Drafts the contract (medallion.scaffold.draft) and prints what it inferred and the
   checklist of guesses to confirm.
3. Writes the landing copy, the contract, the GX suites, the dbt staging model and
   starter mart, and the DAG `<name>_daily` (medallion.scaffold.project_files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from medallion.contracts import contract_path, parse_contract
from medallion.scaffold import project_files
from medallion.scaffold.draft import Draft, contract_yaml, draft_contract
from medallion.scaffold.infer import snake_case
from medallion.scaffold.sniff import MAX_BYTES, SAMPLE_RECORDS, RefusedFile, sample_file
from medallion.settings import load_settings

NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")


@dataclass
class Scaffolded:
    """What the command drafted and every file it wrote."""

    draft: Draft
    contract: Path
    landing_file: Path
    files: list[Path]


def new_dataset(
    name: str,
    file: Path,
    table: str | None = None,
    ds: str | None = None,
    max_bytes: int = MAX_BYTES,
    sample_records: int = SAMPLE_RECORDS,
) -> Scaffolded:
    """Draft and scaffold; raise RefusedFile (nothing written) when the file won't do."""
    table = table or snake_case(file.stem)
    ds = ds or datetime.now(UTC).date().isoformat()
    for label, value in (("dataset name", name), ("table name", table)):
        if not NAME.fullmatch(value):
            raise RefusedFile(
                f"{label} {value!r}: use lower-case letters, digits and _ (a DAG, dbt models "
                f"and folders are named after it), for example {snake_case(value)!r}."
            )
    if contract_path(name, table).exists():
        raise RefusedFile(
            f"{contract_path(name, table)} exists already: choose another --table or dataset "
            f"name, or delete that contract to draft it again."
        )
    hand_written = project_files.hand_written_files(name)
    if hand_written:
        home = load_settings().home
        raise RefusedFile(
            f"dataset {name!r} exists and was not made by this command: "
            f"{', '.join(_relative(path, home) for path in hand_written)}. Scaffolding would "
            f"overwrite them; choose another dataset name."
        )
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", ds):
        raise RefusedFile(f"--date {ds!r}: give the delivery date as YYYY-MM-DD.")

    draft = draft_contract(name, table, sample_file(file, max_bytes, sample_records))
    text = contract_yaml(draft)
    contract = parse_contract(yaml.safe_load(text))  # the draft must load as it is written
    contract_file = project_files.write_contract(name, table, text)
    landing = project_files.copy_to_landing(file, name, contract, ds)
    files = [
        *project_files.write_suites(name),
        *project_files.write_dbt_models(name),
        project_files.write_dag(name, file.name, ds),
    ]
    return Scaffolded(draft, contract_file, landing, files)


def report(result: Scaffolded, home: Path) -> str:
    """What was inferred, what to confirm, what was written, and what to run next."""
    draft = result.draft
    sample = draft.sample
    lines = [
        f"{sample.path.name}: {sample.source_format}, {sample.encoding}"
        + (f", {sample.delimiter_name}-separated" if sample.source_format == "csv" else "")
        + f", {len(sample.columns)} columns, {sample.total_records:,} records"
        + ("" if sample.is_complete else f" ({len(sample.records):,} sampled uniformly)"),
        "",
        f"  {'column':<24} {'type':<14} {'null?':<6} notes",
    ]
    for column in draft.columns:
        notes = []
        if column.source_name != column.name:
            notes.append(f"from {column.source_name!r}")
        if column.name in draft.primary_key:
            notes.append("key")
        if column.accepted_values:
            notes.append(f"values {column.accepted_values}")
        if column.min is not None:
            notes.append(f"range {column.min}..{column.max}")
        if column.null_tokens:
            notes.append(f"null as {', '.join(map(repr, column.null_tokens))}")
        if column.name == draft.measure:
            notes.append("measure")
        nullable = "yes" if column.nullable else "no"
        lines.append(f"  {column.name:<24} {column.type:<14} {nullable:<6} {'; '.join(notes)}")
    lines += ["", "Confirm in the contract before the first run:"]
    lines += [f"  [ ] {item}" for item in draft.checklist]
    lines += ["", "Written:"]
    paths = [result.contract, result.landing_file, *result.files]
    lines += [f"  {_relative(path, home)}" for path in paths if path.suffix != ".json"]
    suites = sum(1 for path in result.files if path.suffix == ".json")
    lines += [f"  great_expectations/: {suites} suite, validation and checkpoint files"]
    lines += [
        "",
        "Next: review the contract, then run the pipeline:",
        f"  make demo DATASET={draft.dataset}",
        f"  (or: airflow dags test {draft.dataset}_daily <date>)",
    ]
    return "\n".join(lines)


def _relative(path: Path, home: Path) -> str:
    return str(path.relative_to(home)) if path.is_relative_to(home) else str(path)


def run(name: str, file: Path, table: str | None, ds: str | None) -> int:
    """The CLI entry: print the report, or the refusal and exit code 2."""
    if not file.is_file():
        print(f"cannot scaffold: {file} is not a file")
        return 2
    try:
        result = new_dataset(name, file, table, ds)
    except RefusedFile as refusal:
        print(f"cannot scaffold: {refusal}")
        return 2
    print(report(result, load_settings().home))
    return 0
