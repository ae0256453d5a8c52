"""A draft data contract from a file sample: columns, key, version column, checklist.

The draft is a normal contract (it loads with medallion.contracts.load_contract), but
every guess the user must confirm is written next to it as a `# CONFIRM:` or `# TODO:`
comment and listed in `Draft.checklist`.

The primary key decides what de-duplication removes, so it is never a guess from the
sample alone: candidates unique in the sample (fewest columns first, identifier-like
names first, then left to right) are checked on every record of the file, and the
checklist says why the chosen one won. The measure of the starter mart is the first
decimal column that is not part of the key and not named like an id or a year.

Column names become snake_case; a column whose name in the file differs keeps it in
`source_name`, and the landing reader renames it on read. So bronze, silver, the gates
and dbt all use the clean name, while the landing files stay exactly as delivered.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass

from medallion.contracts import DEFAULT_MAX_DEDUPLICATED_SHARE
from medallion.scaffold.infer import NULL_TOKENS, ColumnGuess, contract_names, guess_column
from medallion.scaffold.sniff import FileSample, iter_records

KEY_HINTS = ("id", "key", "code", "nr", "no", "num", "number", "uuid", "guid")
VERSION_HINTS = ("updated", "modified", "changed", "version", "recorded", "loaded")
KEY_TYPES = {"string", "integer", "long", "date", "timestamp"}
# Combinations of up to three columns are tried as a key, among the first 20 candidates
# only, so the search stays quick on wide files.
MAX_KEY_COLUMNS = 3
MAX_COMBINATION_CANDIDATES = 20
# Keys unique in the sample are checked on every record of the file, this many per pass
# over the file, for at most this many passes.
MAX_VERIFIED_KEYS = 5
MAX_VERIFICATION_PASSES = 4
# Columns that count or say when, never a measure worth adding up.
NOT_MEASURE_HINTS = ("year", "month", "day", "hour", "minute")


@dataclass
class Draft:
    """The drafted contract of one table and what the user must check before running it."""

    dataset: str
    table: str
    sample: FileSample
    columns: list[ColumnGuess]
    primary_key: list[str]
    key_found: bool
    key_reason: str
    version_column: str
    version_found: bool
    event_time_column: str | None
    measure: str | None

    @property
    def null_values(self) -> list[str]:
        """The null tokens found in any column, in NULL_TOKENS order."""
        found = {token for column in self.columns for token in column.null_tokens}
        return [token for token in NULL_TOKENS if token in found]

    @property
    def checklist(self) -> list[str]:
        items = []
        if self.key_found:
            items.append(
                f"primary key {self.primary_key}: {self.key_reason}. Is it unique in every "
                f"delivery? Rows sharing a key are removed as copies or older versions; more "
                f"than {DEFAULT_MAX_DEDUPLICATED_SHARE:.0%} of a delivery fails the silver gate."
            )
        else:
            items.append(
                f"TODO primary key: {self.key_reason}, so the key is every always-filled "
                f"column {self.primary_key} (only exact duplicates are removed). Name the "
                f"real key, or add an id column to the export."
            )
        if self.null_values:
            items.append(
                f"null tokens {self.null_values} (source.null_values) are read as null in "
                f"every column; the columns holding them are listed below"
            )
        if self.measure:
            items.append(
                f"measure {self.measure!r}: the starter mart adds it up per day and the gold "
                f"gate reconciles that sum with silver; is it an amount worth adding up?"
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
    key, key_reason = find_key(columns, sample)
    key_found = key is not None
    if key is None:
        key = [column.name for column in columns if not column.nullable] or [columns[0].name]
    for column in columns:
        if column.name in key:
            column.nullable = False
            # A key is an identifier: neither a category nor a quantity with a range.
            column.accepted_values = column.min = column.max = None
            column.confirm = [note for note in column.confirm if note.startswith("read as")]
    version = _version_column(columns)
    return Draft(
        dataset=dataset,
        table=table,
        sample=sample,
        columns=columns,
        primary_key=key,
        key_found=key_found,
        key_reason=key_reason,
        version_column=version or key[0],
        version_found=version is not None,
        event_time_column=_event_time_column(columns, version),
        measure=_measure(columns, key),
    )


def find_key(columns: list[ColumnGuess], sample: FileSample) -> tuple[list[str] | None, str]:
    """The best key filled and unique in every record of the file, and why it was chosen.

    Candidates are the combinations unique in the sample: fewest columns first, then
    identifier-like names first, then left to right as in the file. When the sample is
    not the whole file they are checked on every record, MAX_VERIFIED_KEYS per pass over
    the file; the first that holds wins.
    """
    candidates = [c for c in columns if not c.nullable and c.type in KEY_TYPES]
    candidates.sort(key=lambda c: not _named_like_identifier(c.name))
    unique_in_sample = (key for key in _combinations(candidates) if _unique(key, sample))
    records = f"all {sample.total_records:,} records of the file"
    sample_only: list[tuple[ColumnGuess, ...]] = []
    for _ in range(MAX_VERIFICATION_PASSES):
        batch = list(itertools.islice(unique_in_sample, MAX_VERIFIED_KEYS))
        if not batch:
            break
        verified = batch if sample.is_complete else _verified(batch, sample)
        if verified:
            chosen = verified[0]
            sample_only += batch[: batch.index(chosen)]
            return _names(chosen), _why_key(chosen, sample_only, records)
        sample_only += batch
    if sample_only:
        tried = ", ".join(str(_names(key)) for key in sample_only)
        return None, f"{tried} were unique in the sample, but none in {records}"
    return None, f"no column or combination of up to {MAX_KEY_COLUMNS} is unique in {records}"


def _combinations(candidates: list[ColumnGuess]) -> Iterator[tuple[ColumnGuess, ...]]:
    """One column, then pairs, then triples (of the first MAX_COMBINATION_CANDIDATES)."""
    for size in range(1, MAX_KEY_COLUMNS + 1):
        pool = candidates if size == 1 else candidates[:MAX_COMBINATION_CANDIDATES]
        yield from itertools.combinations(pool, size)


def _why_key(chosen: tuple[ColumnGuess, ...], sample_only: list, records: str) -> str:
    why = f"filled and unique in {records}"
    if any(_named_like_identifier(column.name) for column in chosen):
        why += ", named like an identifier"
    if sample_only:
        why += f" ({', '.join(str(_names(key)) for key in sample_only)}: sample only)"
    return why


def _names(columns: tuple[ColumnGuess, ...]) -> list[str]:
    return [column.name for column in columns]


def _named_like_identifier(name: str) -> bool:
    """`order_id`, `id`, `beleg_nr`, `iso_code`: the last word is a key word."""
    return name.split("_")[-1] in KEY_HINTS


def _unique(columns: tuple[ColumnGuess, ...], sample: FileSample) -> bool:
    """Unique in the sample; stops at the first repeat (most combinations repeat early)."""
    combinations = math.prod(column.distinct for column in columns)
    if not sample.records or combinations < len(sample.records):
        return False
    seen = set()
    for record in sample.records:
        value = _key_value(record, columns)
        if value in seen:
            return False
        seen.add(value)
    return True


def _key_value(record: dict, columns: tuple[ColumnGuess, ...]) -> tuple[str, ...]:
    return tuple((record.get(column.source_name) or "").strip() for column in columns)


def _verified(keys: list[tuple[ColumnGuess, ...]], sample: FileSample) -> list:
    """The keys filled and unique in every record of the file, in the order given."""
    seen: list[set] = [set() for _ in keys]
    holds = [True] * len(keys)
    for record in iter_records(sample):
        for index, key in enumerate(keys):
            if holds[index]:
                value = _key_value(record, key)
                empty = any(part in ("", *NULL_TOKENS) for part in value)
                holds[index] = not empty and value not in seen[index]
                seen[index].add(value)
    return [key for key, held in zip(keys, holds, strict=True) if held]


def _measure(columns: list[ColumnGuess], key: list[str]) -> str | None:
    """The first decimal column that is no key, no id and no year: an amount to add up."""
    for column in columns:
        if (
            column.type.startswith("decimal")
            and column.name not in key
            and not _named_like_identifier(column.name)
            and not set(column.name.split("_")) & set(NOT_MEASURE_HINTS)
        ):
            return column.name
    return None


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
    key_note = "CONFIRM: unique in the whole file" if draft.key_found else "TODO: no key found"
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
    if draft.null_values:
        lines.append(f"  null_values: {_scalar(draft.null_values)}  # CONFIRM: read as null")
    lines.append(f"primary_key: {_scalar(draft.primary_key)}  # {key_note}")
    lines.append(f"version_column: {draft.version_column}{version_note}")
    if draft.event_time_column:
        lines.append(f"event_time_column: {draft.event_time_column}")
    if draft.measure:
        lines.append(f"measure: {draft.measure}  # CONFIRM: the amount gold adds up")
    lines.append("max_quarantine_share: 0.05  # rows breaking a rule of this contract")
    lines.append(
        f"max_deduplicated_share: {DEFAULT_MAX_DEDUPLICATED_SHARE}  "
        "# rows removed as copies or older versions of a key"
    )
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
