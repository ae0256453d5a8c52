"""Reading a file nobody described yet: its format, encoding, delimiter and header.

The scaffolder sees a user's file for the first time. Before it can draft a contract it
must know how to read the file, and it refuses (RefusedFile, with what to do) rather
than guess when it cannot tell:

| refusal                 | when                                                         |
|-------------------------|--------------------------------------------------------------|
| too large               | over `max_bytes` (100 MB): the lab's laptops and the sample   |
| empty                   | 0 bytes or blank lines only                                   |
| binary                  | NUL or other control bytes: not a text export                 |
| unknown encoding        | neither UTF-8 nor a Western European 8-bit encoding           |
| unknown delimiter       | no single one of , ; tab | splits every line the same way     |
| no header               | the first line holds numbers, dates or empty names            |

The result is a `FileSample`: how to read the file and its first records as strings,
exactly as Spark's all-string bronze reader would see them.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 100 * 1024 * 1024
SAMPLE_RECORDS = 10_000
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
    """How to read a file, and its first records as {column name in the file: text}."""

    path: Path
    source_format: str  # csv or jsonl
    encoding: str  # a Python codec name the contract accepts
    delimiter: str  # "," for JSON lines (unused)
    columns: tuple[str, ...]  # names as written in the file
    records: tuple[dict[str, str | None], ...]
    nested_columns: frozenset[str] = frozenset()  # JSON keys holding objects or lists

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS[self.delimiter]


def sample_file(path: Path, max_bytes: int = MAX_BYTES) -> FileSample:
    """Decide how to read `path` and return its first records; raise RefusedFile if unsure."""
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
        return _sample_json_lines(path, text, encoding)
    return _sample_csv(path, text, encoding)


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


def _sample_json_lines(path: Path, text: str, encoding: str) -> FileSample:
    """Top-level keys in order of first appearance; nested values kept as JSON text."""
    columns: dict[str, None] = {}
    nested: set[str] = set()
    records = []
    lines = (line for line in text.splitlines() if line.strip())
    for number, line in enumerate(itertools.islice(lines, SAMPLE_RECORDS), start=1):
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise RefusedFile(
                f"{path} line {number} is not JSON ({error.msg}). JSON lines files hold "
                f"one object per line; a single JSON array must be converted first."
            ) from error
        if not isinstance(item, dict):
            raise RefusedFile(f"{path} line {number} is not a JSON object: one object per line.")
        record = {}
        for key, value in item.items():
            columns.setdefault(key)
            if isinstance(value, dict | list):
                nested.add(key)
            record[key] = _json_text(value)
        records.append(record)
    return FileSample(
        path, "jsonl", encoding, ",", tuple(columns), tuple(records), frozenset(nested)
    )


def _json_text(value) -> str | None:
    """A JSON value as Spark reads it into a string column."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _sample_csv(path: Path, text: str, encoding: str) -> FileSample:
    delimiter = detect_delimiter(path, text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = [row for row in itertools.islice(reader, SAMPLE_RECORDS + 1) if not _blank(row)]
    header = [name.strip() for name in rows[0]]
    _check_header(path, header)
    records = tuple(
        {name: (row[index] if index < len(row) else None) for index, name in enumerate(header)}
        for row in rows[1 : SAMPLE_RECORDS + 1]
    )
    return FileSample(path, "csv", encoding, delimiter, tuple(header), records)


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
