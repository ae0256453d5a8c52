"""Reading a file nobody described yet: its format, encoding, delimiter and header.

The scaffolder sees a user's file for the first time. Before it can draft a contract it
must know how to read the file, and it refuses (RefusedFile, with what to do) rather
than guess when it cannot tell:

| refusal                 | when                                                         |
|-------------------------|--------------------------------------------------------------|
| too large               | over `max_bytes` (100 MB): the lab's laptops and the sample   |
| empty                   | 0 bytes, blank lines only, or a header without records        |
| binary                  | NUL or other control bytes: not a text export                 |
| unknown encoding        | neither UTF-8 nor a Western European 8-bit encoding           |
| unknown delimiter       | no single one of , ; tab | splits every line the same way     |
| no header               | the first line holds numbers, dates or empty names            |

The result is a `FileSample`: how to read the file, and records as strings, exactly as
Spark's all-string bronze reader would see them. The sample spans the whole file: every
record of a file with up to SAMPLE_RECORDS of them, else a uniform random sample (a fixed
seed, so the same file drafts the same contract). A file sorted by date or by id is then
seen from its first record to its last, not by its first pages. `iter_records` reads
every record again, for the checks a sample cannot settle (is a key unique?).
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 100 * 1024 * 1024
SAMPLE_RECORDS = 100_000
SAMPLE_SEED = 20261120
# The delimiter is decided on the first records of the first megabyte.
HEAD_CHARS = 1 << 20
HEAD_RECORDS = 200
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
JSON_SUFFIXES = {".jsonl", ".ndjson", ".json"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
# Bytes that never occur in a text export (tab, line feed and carriage return excepted).
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Values that make a first line look like data rather than column names.
DATA_LIKE = re.compile(r"^[+-]?\d+([.,]\d+)?$|^\d{4}-\d{2}-\d{2}")


class RefusedFile(Exception):
    """The file cannot be scaffolded as it is; the message says what to do instead."""


@dataclass(frozen=True)
class FileSample:
    """How to read a file, and a sample of its records as {column name in the file: text}."""

    path: Path
    source_format: str  # csv or jsonl
    encoding: str  # a Python codec name the contract accepts
    delimiter: str  # "," for JSON lines (unused)
    columns: tuple[str, ...]  # names as written in the file
    records: tuple[dict[str, str | None], ...]
    total_records: int  # records in the whole file; len(records) when all are sampled
    nested_columns: frozenset[str] = frozenset()  # JSON keys holding objects or lists

    @property
    def is_complete(self) -> bool:
        """Whether the sample holds every record of the file."""
        return len(self.records) == self.total_records

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS[self.delimiter]


def sample_file(
    path: Path, max_bytes: int = MAX_BYTES, sample_records: int = SAMPLE_RECORDS
) -> FileSample:
    """Decide how to read `path` and sample its records; raise RefusedFile if unsure."""
    size = path.stat().st_size
    if size > max_bytes:
        raise RefusedFile(
            f"{path} has {size / 2**20:,.1f} MB; the limit is {max_bytes / 2**20:,.0f} MB. "
            f"Scaffold from a smaller extract (for example the first 100,000 lines) and "
            f"drop the full files into the landing folder afterwards."
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise RefusedFile(f"{path} is empty: export the data again, with a header line.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RefusedFile(
            f"{path} is UTF-16 (it starts with a UTF-16 byte-order mark). Save it as "
            f"UTF-8 (in a spreadsheet: 'CSV UTF-8') and run the command again."
        )
    control = CONTROL_BYTES.search(raw)
    if control:
        raise RefusedFile(
            f"{path} holds binary data (byte {raw[control.start()]:#04x} at offset "
            f"{control.start():,}): it is not a CSV or JSON-lines text file. If it is "
            f"compressed or a spreadsheet, unpack it or export it as CSV first."
        )
    encoding = detect_encoding(path, raw)
    text = raw.decode(encoding)
    if _looks_like_json_lines(path, text):
        return _sample_json_lines(path, text, encoding, sample_records)
    delimiter = detect_delimiter(path, text)
    header = _csv_header(path, text, delimiter)
    records, total = _uniform_sample(_csv_records(text, delimiter, header), sample_records)
    if not total:
        raise RefusedFile(
            f"{path} has a header line but no records: there is nothing to draft types, "
            f"keys or ranges from. Export the data again, with its rows."
        )
    return FileSample(path, "csv", encoding, delimiter, tuple(header), records, total)


def iter_records(sample: FileSample) -> Iterator[dict[str, str | None]]:
    """Every record of the sampled file, read again in file order."""
    text = sample.path.read_bytes().decode(sample.encoding)
    if sample.source_format == "jsonl":
        return (record for record, _ in _json_records(sample.path, text))
    header = _csv_header(sample.path, text, sample.delimiter)
    return _csv_records(text, sample.delimiter, header)


def _uniform_sample(records: Iterator[dict], size: int) -> tuple[tuple[dict, ...], int]:
    """Every record when there are at most `size`, else a uniform random sample of that
    many (reservoir sampling: one pass, any file length), in file order; and the count."""
    generator = random.Random(SAMPLE_SEED)
    reservoir: list[tuple[int, dict]] = []
    total = 0
    for total, record in enumerate(records, start=1):
        if total <= size:
            reservoir.append((total, record))
        elif (slot := generator.randrange(total)) < size:
            reservoir[slot] = (total, record)
    return tuple(record for _, record in sorted(reservoir, key=lambda item: item[0])), total


def detect_encoding(path: Path, raw: bytes) -> str:
    """utf-8-sig (byte-order mark), utf-8, latin-1 or cp1252; RefusedFile otherwise."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    non_ascii = sum(1 for byte in raw if byte >= 0x80)
    # Western European text has a few accented letters per line, not mostly high bytes.
    if non_ascii > len(raw) * 0.3:
        raise RefusedFile(
            f"{path}: cannot tell its encoding ({non_ascii:,} of {len(raw):,} bytes are "
            f"not ASCII and it is not UTF-8). Save it as UTF-8 and run the command again."
        )
    # Bytes 0x80-0x9f are control characters in Latin-1 but letters and signs (€, „, ’)
    # in Windows-1252; a file using them was written by Windows.
    if not any(0x80 <= byte <= 0x9F for byte in raw):
        return "latin-1"
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError as error:
        raise RefusedFile(
            f"{path}: cannot tell its encoding (not UTF-8, and byte {raw[error.start]:#04x} "
            f"at offset {error.start:,} is not Windows-1252). Save it as UTF-8."
        ) from error


def _looks_like_json_lines(path: Path, text: str) -> bool:
    if path.suffix.lower() in JSON_SUFFIXES:
        return True
    return path.suffix.lower() not in CSV_SUFFIXES and text.lstrip().startswith("{")


def _sample_json_lines(path: Path, text: str, encoding: str, size: int) -> FileSample:
    """Top-level keys in order of first appearance; nested values kept as JSON text."""
    columns: dict[str, None] = {}
    nested: set[str] = set()

    def records() -> Iterator[dict]:
        for record, item in _json_records(path, text):
            for key, value in item.items():
                columns.setdefault(key)
                if isinstance(value, dict | list):
                    nested.add(key)
            yield record

    sample, total = _uniform_sample(records(), size)
    return FileSample(
        path, "jsonl", encoding, ",", tuple(columns), sample, total, frozenset(nested)
    )


def _json_records(path: Path, text: str) -> Iterator[tuple[dict, dict]]:
    """(record as text values, the parsed object) for each non-blank line."""
    lines = (line for line in text.splitlines() if line.strip())
    for number, line in enumerate(lines, start=1):
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise RefusedFile(
                f"{path} line {number} is not JSON ({error.msg}). JSON lines files hold "
                f"one object per line; a single JSON array must be converted first."
            ) from error
        if not isinstance(item, dict):
            raise RefusedFile(f"{path} line {number} is not a JSON object: one object per line.")
        yield {key: _json_text(value) for key, value in item.items()}, item


def _json_text(value) -> str | None:
    """A JSON value as Spark reads it into a string column."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _csv_header(path: Path, text: str, delimiter: str) -> list[str]:
    """The column names of the first non-blank line, checked."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    first = next((row for row in reader if not _blank(row)), [])
    header = [name.strip() for name in first]
    _check_header(path, header)
    return header


def _csv_records(text: str, delimiter: str, header: list[str]) -> Iterator[dict]:
    """The records after the header as {column: text}; a short record's missing fields
    are None, as Spark's reader gives them."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = (row for row in reader if not _blank(row))
    next(rows, None)  # the header
    for row in rows:
        yield {
            name: (row[index] if index < len(row) else None) for index, name in enumerate(header)
        }


def detect_delimiter(path: Path, text: str) -> str:
    """The one delimiter that splits the first records into the same number (> 1) of fields."""
    head = text[:HEAD_CHARS]
    consistent = []
    for delimiter in DELIMITERS:
        rows = [row for row in csv.reader(io.StringIO(head), delimiter=delimiter)]
        rows = [row for row in rows if not _blank(row)]
        if len(head) < len(text):
            rows = rows[:-1]  # the last record may be cut where the head ends
        widths = {len(row) for row in rows[:HEAD_RECORDS]}
        if len(widths) == 1 and min(widths) > 1:
            consistent.append(delimiter)
    if len(consistent) == 1:
        return consistent[0]
    found = " and ".join(DELIMITERS[d] for d in consistent) or "none of comma, semicolon, tab, pipe"
    raise RefusedFile(
        f"{path}: cannot tell the delimiter ({found} split every line evenly). Export the "
        f"file with one of , ; tab | and the same number of fields on every line "
        f"(quote fields that contain the delimiter)."
    )


def _blank(row: list[str]) -> bool:
    """A line with nothing on it (csv gives [] or one blank field); readers skip it."""
    return not row or (len(row) == 1 and not row[0].strip())


def _check_header(path: Path, header: list[str]) -> None:
    if any(not name for name in header):
        raise RefusedFile(
            f"{path}: the first line has an empty column name ({header}). Add a header "
            f"line naming every column, then run the command again."
        )
    data_like = [name for name in header if DATA_LIKE.match(name)]
    if data_like:
        raise RefusedFile(
            f"{path}: the first line looks like data, not column names ({data_like}). "
            f"Add a header line naming every column, then run the command again."
        )
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise RefusedFile(f"{path}: column names appear twice in the header: {duplicates}.")
