"""A delivered file's records, read in plain Python the way Spark will read them.

The ingest job counts each file's records here (the bronze gate compares the count with
what Spark loaded), and the same pass finds what makes a CSV file unreadable as its
contract describes it. Each problem is a `ParseFailure` naming the file, the line and,
where it applies, the column:

| reason             | what it means                                                    |
|--------------------|------------------------------------------------------------------|
| `wrong_delimiter`  | the header splits on another delimiter than the contract's       |
| `field_too_large`  | a field longer than the contract's `source.max_field_chars`      |
| `unparseable_csv`  | any other error of the CSV parser                                |

These are data errors: the same bytes fail the same way on every try.

A file named `*.csv.gz` or `*.jsonl.gz` is decompressed on the fly, here as in Spark
(which picks the codec by the name). A gzip file delivered under a plain name is renamed
to end in `.gz` first (`name_gzip_as_gzip`), every byte kept: so it is read as gzip, not
as garbage.
"""

from __future__ import annotations

import csv
import gzip
import logging
import os
import sys
from pathlib import Path
from typing import IO, NamedTuple

from medallion.errors import DataError

log = logging.getLogger(__name__)

GZIP_SUFFIX = ".gz"
GZIP_MAGIC = b"\x1f\x8b"
# Python's csv module refuses fields longer than this by default; Spark has no limit.
DEFAULT_MAX_FIELD_CHARS = 131_072
DELIMITER_NAMES = {",": "a comma (,)", ";": "a semicolon (;)", "\t": "a tab", "|": "a pipe (|)"}


class ParseFailure(DataError):
    """A file cannot be parsed as its contract says: `reason` is a quarantine reason code."""

    def __init__(self, path: Path, reason: str, detail: str):
        super().__init__(f"{path.name}: {reason} ({detail})")
        self.path, self.reason, self.detail = path, reason, detail


class SourceScan(NamedTuple):
    """What one pass over a delivered file found: its records, and whether any of them
    spans more than one line (a quoted field holding a line break)."""

    records: int
    spans_lines: bool


def open_text(path: Path, encoding: str = "utf-8") -> IO[str]:
    """A delivered file opened as text for the csv module, decompressing `*.gz`.

    Undecodable bytes become U+FFFD: every supported encoding keeps ASCII as is, so
    quotes, delimiters and line ends, which decide where records end, are unaffected.
    """
    if path.name.endswith(GZIP_SUFFIX):
        return gzip.open(path, "rt", encoding=encoding, errors="replace", newline="")
    return path.open("r", encoding=encoding, errors="replace", newline="")


def open_bytes(path: Path) -> IO[bytes]:
    """A delivered file's bytes, decompressed when it is named `*.gz`."""
    return gzip.open(path, "rb") if path.name.endswith(GZIP_SUFFIX) else path.open("rb")


def name_gzip_as_gzip(path: Path) -> Path:
    """`path`, renamed to `<name>.gz` when it holds gzip bytes under a plain name.

    Spark and this module choose gzip by the name alone. The file is left as it is when
    `<name>.gz` exists already (screening then reports it as `gzip_content`).
    """
    if path.name.endswith(GZIP_SUFFIX):
        return path
    with path.open("rb") as handle:
        if handle.read(len(GZIP_MAGIC)) != GZIP_MAGIC:
            return path
    target = path.with_name(path.name + GZIP_SUFFIX)
    if target.exists():
        return path
    os.replace(path, target)
    log.warning(
        "%s holds gzip-compressed data: renamed to %s to read it as gzip", path, target.name
    )
    return target


def header_fields(path: Path, encoding: str, delimiter: str) -> list[str]:
    """The first line of a CSV file split by `delimiter` ([] for an empty first line)."""
    with open_text(path, encoding) as handle:
        # A byte-order mark read with plain utf-8 would stick to the first name.
        first_line = handle.readline().lstrip("\ufeff")
    if not first_line.strip():
        return []
    return [name.strip() for name in next(csv.reader([first_line], delimiter=delimiter))]


def check_delimiter(path: Path, encoding: str, expected: str, columns: list[str]) -> None:
    """Raise ParseFailure when the header splits into the contract's columns on another
    delimiter better than on the contract's own (`columns`: names as in the file)."""

    def found(delimiter: str) -> int:
        return len(set(columns) & set(header_fields(path, encoding, delimiter)))

    with_expected = found(expected)
    if with_expected == len(columns):
        return
    best = max(DELIMITER_NAMES, key=found)
    if best != expected and found(best) > with_expected:
        raise ParseFailure(
            path,
            "wrong_delimiter",
            f"line 1, the header, is separated by {DELIMITER_NAMES[best]} but the contract "
            f"expects {DELIMITER_NAMES[expected]} (source.delimiter)",
        )


def scan_source_file(
    path: Path,
    source_format: str,
    encoding: str = "utf-8",
    delimiter: str = ",",
    max_field_chars: int = DEFAULT_MAX_FIELD_CHARS,
) -> SourceScan:
    """Count a file's records and see whether any spans lines; ParseFailure if unparseable.

    JSON lines: non-blank lines. CSV: records as Python's csv module parses them (a
    quoted field may span lines), less the header, skipping blank lines as Spark does.
    """
    if source_format == "jsonl":
        with open_bytes(path) as handle:
            return SourceScan(sum(1 for line in handle if line.strip()), spans_lines=False)
    # The limit is process-wide in the csv module: set for this pass, then restored.
    previous_limit = csv.field_size_limit(max_field_chars)
    rows = records = 0
    try:
        with open_text(path, encoding) as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            try:
                for row in reader:
                    rows += 1
                    records += not _blank(row)
            except csv.Error as error:
                failure = _parse_failure(path, encoding, delimiter, max_field_chars, rows, error)
                raise failure from error
            # One row per line read, unless a quoted field carried a line break.
            spans_lines = reader.line_num > rows
    finally:
        csv.field_size_limit(previous_limit)
    return SourceScan(max(records - 1, 0), spans_lines)


def count_source_records(
    path: Path, source_format: str, encoding: str = "utf-8", delimiter: str = ","
) -> int:
    """Records in a delivered file, counted without Spark (see scan_source_file)."""
    return scan_source_file(path, source_format, encoding, delimiter).records


def _parse_failure(
    path: Path, encoding: str, delimiter: str, limit: int, failed_row: int, error: csv.Error
) -> ParseFailure:
    """Name the line and column of the row the parser failed on (rows counted from 0).

    Only on failure: the file is read again without a limit to see the whole row.
    """
    csv.field_size_limit(sys.maxsize)
    with open_text(path, encoding) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader, [])
        row, line = header, 1
        for _ in range(failed_row):
            line = reader.line_num + 1
            row = next(reader, [])
    too_large = [(index, len(value)) for index, value in enumerate(row) if len(value) > limit]
    if not too_large:
        return ParseFailure(path, "unparseable_csv", f"line {line:,}: {error}")
    index, size = too_large[0]
    column = header[index] if index < len(header) else f"#{index + 1}"
    return ParseFailure(
        path,
        "field_too_large",
        f"line {line:,}, column {column!r} (field {index + 1}) holds {size:,} characters, "
        f"more than the contract's source.max_field_chars of {limit:,}",
    )


def _blank(row: list[str]) -> bool:
    """A line with nothing on it, which Spark's CSV reader skips."""
    return not row or (len(row) == 1 and not row[0].strip())
