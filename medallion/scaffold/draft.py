"""A draft data contract from a file sample: columns, key, version column, checklist.

The draft is a normal contract (it loads with medallion.contracts.load_contract), but
every guess the user must confirm is written next to it as a `# CONFIRM:` or `# TODO:`
comment and listed in `Draft.checklist`.

Column names become snake_case; a column whose name in the file differs keeps it in
`source_name`, and the landing reader renames it on read. So bronze, silver, the gates
and dbt all use the clean name, while the landing files stay exactly as delivered.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

from medallion.scaffold.infer import ColumnGuess, contract_names, guess_column
from medallion.scaffold.sniff import FileSample

KEY_HINTS = ("id", "key", "code", "nr", "no", "number")
VERSION_HINTS = ("updated", "modified", "changed", "version", "recorded", "loaded")
KEY_TYPES = {"string", "integer", "long", "date", "timestamp"}
# Combinations of up to three columns are tried as a key, among the first columns only,
# so the search stays quick on wide files.
MAX_KEY_COLUMNS = 3
MAX_COMBINATION_CANDIDATES = 12


@dataclass
class Draft:
    """The drafted contract of one table and what the user must check before running it."""

    dataset: str
    table: str
    sample: FileSample
    columns: list[ColumnGuess]
    primary_key: list[str]
    key_found: bool
    version_column: str
    version_found: bool
    event_time_column: str | None

    @property
    def checklist(self) -> list[str]:
        items = []
        if self.key_found:
            items.append(
                f"primary key {self.primary_key}: unique and never empty in the "
                f"{len(self.sample.records):,} sampled records; is it unique in every delivery?"
            )
        else:
            items.append(
                f"TODO primary key: no column or pair of columns is unique in the sample, so "
                f"the key is every always-filled column {self.primary_key} (only exact "
                f"duplicates are removed). Name the real key, or add an id column to the export."
            )
        if not self.version_found:
            items.append(
                f"TODO version column: no 'updated_at'-like timestamp found; "
                f"{self.version_column!r} is a stand-in, so of two deliveries of one key the "
                f"later delivery wins. Name the column that orders versions if there is one."
            )
        items.extend(f"{column.name}: {note}" for column in self.columns for note in column.confirm)
        items.append("nullable: columns never empty in the sample are nullable: false; right?")
        return items


def draft_contract(dataset: str, table: str, sample: FileSample) -> Draft:
    """Infer every column of the sample, then the key, version and event-time columns."""
    names = contract_names(list(sample.columns))
    columns = [
        guess_column(
            source_name,
            name,
            [record.get(source_name) for record in sample.records],
            source_name in sample.nested_columns,
        )
        for source_name, name in zip(sample.columns, names, strict=True)
    ]
    key = find_key(columns, sample)
    key_found = key is not None
    if key is None:
        key = [column.name for column in columns if not column.nullable] or [columns[0].name]
    for column in columns:
        if column.name in key:
            column.nullable = False
            # A key is an identifier: neither a category nor a quantity with a range.
            column.accepted_values = column.min = column.max = None
            column.confirm = []
    version = _version_column(columns)
    return Draft(
        dataset=dataset,
        table=table,
        sample=sample,
        columns=columns,
        primary_key=key,
        key_found=key_found,
        version_column=version or key[0],
        version_found=version is not None,
        event_time_column=_event_time_column(columns, version),
    )


def find_key(columns: list[ColumnGuess], sample: FileSample) -> list[str] | None:
    """The smallest set of columns that is filled and unique in every sampled record."""
    records = len(sample.records)
    candidates = [c for c in columns if not c.nullable and c.type in KEY_TYPES and records]
    # Columns named like identifiers first, then left to right as in the file.
    candidates.sort(key=lambda c: not c.name.endswith(KEY_HINTS))
    for size in range(1, MAX_KEY_COLUMNS + 1):
        pool = candidates if size == 1 else candidates[:MAX_COMBINATION_CANDIDATES]
        for combination in itertools.combinations(pool, size):
            if _unique(combination, sample):
                return [column.name for column in combination]
    return None


def _unique(columns: tuple[ColumnGuess, ...], sample: FileSample) -> bool:
    if len(columns) == 1 and columns[0].distinct != len(sample.records):
        return False
    seen = {
        tuple((record.get(column.source_name) or "").strip() for column in columns)
        for record in sample.records
    }
    return len(seen) == len(sample.records)


def _version_column(columns: list[ColumnGuess]) -> str | None:
    for column in columns:
        if (
            column.type == "timestamp"
            and not column.nullable
            and any(hint in column.name for hint in VERSION_HINTS)
        ):
            return column.name
    return None


def _event_time_column(columns: list[ColumnGuess], version: str | None) -> str | None:
    """The first always-filled timestamp that is not the version column.

    A timestamp says when something happened; a date column alone may as well be a
    birthday or a due date, so it is not drafted as the event time (it still gets a
    daily mart). Declare it by hand if it is the business date.
    """
    for column in columns:
        if column.type == "timestamp" and not column.nullable and column.name != version:
            return column.name
    return None


def contract_yaml(draft: Draft) -> str:
    """The contract file's text, with the guesses to confirm as comments."""
    sample = draft.sample
    key_note = "CONFIRM: unique in the sample" if draft.key_found else "TODO: no key found"
    version_note = "" if draft.version_found else "  # TODO: stand-in, see the checklist"
    lines = [
        f"# Data contract drafted by `medallion new-dataset` from {sample.path.name}.",
        "# Review every CONFIRM and TODO, then run the pipeline (docs/bring-your-own-data.md).",
        f"dataset: {draft.dataset}",
        f"table: {draft.table}",
        "description: >",
        f"  TODO: what one row of {sample.path.name} is, and who delivers it.",
        "owner: TODO",
        "source:",
        f"  folder: {draft.table}",
        f"  format: {sample.source_format}",
        f"  encoding: {sample.encoding}",
    ]
    if sample.source_format == "csv":
        lines.append(f"  delimiter: {_scalar(sample.delimiter)}  # {sample.delimiter_name}")
    lines.append(f"primary_key: {_scalar(draft.primary_key)}  # {key_note}")
    lines.append(f"version_column: {draft.version_column}{version_note}")
    if draft.event_time_column:
        lines.append(f"event_time_column: {draft.event_time_column}")
    lines.append("max_quarantine_share: 0.05")
    lines.append("columns:")
    for column in draft.columns:
        lines.extend(_column_lines(column))
    return "\n".join(lines) + "\n"


def _column_lines(column: ColumnGuess) -> list[str]:
    lines = [f"  - name: {column.name}"]
    if column.source_name != column.name:
        lines.append(f"    source_name: {_scalar(column.source_name)}")
    lines.append(f"    type: {column.type}")
    lines.append(f"    nullable: {'true' if column.nullable else 'false'}")
    if column.accepted_values:
        lines.append(f"    accepted_values: {_scalar(column.accepted_values)}  # CONFIRM")
    if column.min is not None:
        lines.append(f"    min: {column.min}  # CONFIRM: loosened from the sample")
        lines.append(f"    max: {column.max}  # CONFIRM: loosened from the sample")
    description = "JSON text of a nested value." if column.nested else "TODO: what it holds."
    lines.append(f"    description: {_scalar(description)}")
    return lines


def _scalar(value) -> str:
    """A YAML flow scalar or list: JSON is valid YAML and quotes what needs quoting."""
    return json.dumps(value, ensure_ascii=False)
