"""Screening delivered files before Spark reads them, and quarantining unreadable ones.

Spark's CSV and JSON readers are forgiving: a row they cannot split is kept as a
`_corrupt_record` and quarantined row by row later. That is right for a few bad rows, but
wrong for a file that is not readable at all, because Spark would turn it into a heap of
"rows" that never existed (binary garbage) or silently load a file cut off in the middle.
So each file is screened first, in plain Python:

| reason            | what it means                                                  |
|-------------------|----------------------------------------------------------------|
| `empty_file`      | 0 bytes, or only blank lines: not even a header                |
| `binary_content`  | NUL bytes: not a text file at all (a zip, an image, a dump)    |
| `wrong_encoding`  | bytes that are not valid in the contract's encoding            |
| `truncated_file`  | the last record stops in the middle (no line end, cut short)   |
| `gzip_content`    | gzip bytes under a plain name, when `<name>.gz` exists too     |
| `corrupt_gzip`    | named `.gz` but not a whole gzip stream                        |

Files that pass are then parsed once as the contract describes them, which counts their
records and finds the rest (`wrong_delimiter`, `field_too_large`, `unparseable_csv`: see
medallion.source_records). A file named `*.gz` is screened and parsed decompressed.

An unreadable file is moved out of the landing folder into
`<data>/lake/quarantine/<dataset>/_files/<table>/<ds>/`, next to a `<file>.reason.json`
that says why, so nothing is lost and a re-run does not trip over it again. The caller
then fails the task at once (a data error: retrying cannot make the file readable).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from medallion.contracts import Contract
from medallion.errors import CorruptFileError
from medallion.lake import quarantined_files_dir
from medallion.source_records import (
    GZIP_MAGIC,
    GZIP_SUFFIX,
    ParseFailure,
    SourceScan,
    check_delimiter,
    open_bytes,
    open_text,
    scan_source_file,
)

CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class Finding:
    """Why one delivered file cannot be read."""

    path: Path
    reason: str
    detail: str

    def describe(self) -> str:
        return f"{self.path.name}: {self.reason} ({self.detail})"


def screen_file(
    path: Path, source_format: str, encoding: str = "utf-8", delimiter: str = ","
) -> Finding | None:
    """Return why `path` is unreadable, or None when it can be handed to Spark."""
    size = path.stat().st_size
    if size == 0:
        return Finding(path, "empty_file", "0 bytes")
    with path.open("rb") as handle:
        is_gzip = handle.read(2) == GZIP_MAGIC
    if is_gzip and not path.name.endswith(GZIP_SUFFIX):
        return Finding(
            path,
            "gzip_content",
            f"the file is gzip-compressed; name it {path.name}.gz (the pipeline reads .gz "
            f"deliveries as they are) or decompress it with gunzip",
        )
    try:
        return _screen_text(path, size, source_format, encoding, delimiter)
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        return Finding(path, "corrupt_gzip", f"not a whole gzip stream: {error}")


def _screen_text(
    path: Path, size: int, source_format: str, encoding: str, delimiter: str
) -> Finding | None:
    """The checks of screen_file on the (decompressed) bytes of a file."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    line = 1
    has_text = False
    last_chunk = b""
    with open_bytes(path) as handle:
        while chunk := handle.read(CHUNK_BYTES):
            if b"\x00" in chunk:
                at = offset + chunk.index(b"\x00")
                return Finding(path, "binary_content", f"NUL byte at byte {at:,}")
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return _encoding_finding(path, encoding, offset + error.start, line, chunk, error)
            line += text.count("\n")
            has_text = has_text or bool(text.strip())
            offset += len(chunk)
            last_chunk = chunk
    if not has_text:
        return Finding(path, "empty_file", f"{size:,} bytes of blank lines")
    if not last_chunk.endswith(b"\n") and _last_record_is_cut(
        path, source_format, encoding, delimiter
    ):
        return Finding(path, "truncated_file", "the last record ends without its line end")
    return None


def _encoding_finding(
    path: Path, encoding: str, at: int, line: int, chunk: bytes, error: UnicodeDecodeError
) -> Finding:
    line += chunk[: error.start].count(b"\n")
    byte = chunk[error.start : error.start + 1].hex()
    return Finding(
        path,
        "wrong_encoding",
        f"byte 0x{byte} at byte {at:,} (line {line:,}) is not valid {encoding}; the file is "
        f"probably in another encoding such as latin-1 or cp1252",
    )


def _last_record_is_cut(path: Path, source_format: str, encoding: str, delimiter: str) -> bool:
    """Whether the final record of a file without a final line end is incomplete."""
    with open_text(path, encoding) as handle:
        text = handle.read()
    if source_format == "jsonl":
        last_line = text.rsplit("\n", 1)[-1]
        try:
            json.loads(last_line)
        except json.JSONDecodeError:
            return True
        return False
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return len(records) > 1 and len(records[-1]) < len(records[0])


def quarantine_files(
    findings: list[Finding], dataset: str, table: str, ds: str, task: str
) -> list[Path]:
    """Move unreadable files out of landing into the file quarantine; return where they went."""
    target = quarantined_files_dir(dataset, table, ds)
    target.mkdir(parents=True, exist_ok=True)
    moved = []
    for finding in findings:
        destination = target / finding.path.name
        reason = {
            "file": finding.path.name,
            "landing_path": str(finding.path),
            "reason": finding.reason,
            "detail": finding.detail,
            "quarantined_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "quarantined_by": task,
        }
        (target / f"{finding.path.name}.reason.json").write_text(
            json.dumps(reason, indent=2) + "\n", encoding="utf-8"
        )
        os.replace(finding.path, destination)
        moved.append(destination)
    return moved


def screen_delivery(contract: Contract, files: list[Path], ds: str) -> list[SourceScan]:
    """Screen and parse a day's files; return each file's scan (records, spans lines).

    Unreadable files are moved to the file quarantine and CorruptFileError is raised.
    Nothing is loaded when any file is unreadable: bronze stays as it was, so the day's
    partition never looks complete with a file missing.
    """
    findings, scans = [], []
    for path in files:
        finding = screen_file(
            path, contract.source_format, contract.source_encoding, contract.source_delimiter
        )
        if finding and finding.reason == "empty_file" and _may_be_empty(contract):
            finding = None  # no lines: an empty delivery, which ingest accepts
        if finding is None:
            try:
                scans.append(parse_file(contract, path))
            except ParseFailure as failure:
                finding = Finding(path, failure.reason, failure.detail)
        if finding is not None:
            findings.append(finding)
    if not findings:
        return scans
    dataset, table = contract.dataset, contract.table
    moved = quarantine_files(findings, dataset, table, ds, f"ingest_{table}")
    listed = "; ".join(finding.describe() for finding in findings)
    raise CorruptFileError(
        f"{dataset}.{table} {ds}: {len(findings)} of {len(files)} delivered file(s) cannot be "
        f"read: {listed}. Moved to {moved[0].parent} with the reasons; nothing was loaded. "
        f"Ask the source to re-deliver the file(s) into the landing folder (or fix the "
        f"contract {contract.path} if the source changed on purpose), then clear this "
        f"task (or re-run the date) to load the day."
    )


def _may_be_empty(contract: Contract) -> bool:
    """A JSON lines file has no header, so with `allow_empty` a file without a line is an
    empty delivery. (A CSV file without even a header is still unreadable.)"""
    return contract.allow_empty and contract.source_format == "jsonl"


def parse_file(contract: Contract, path: Path) -> SourceScan:
    """Parse a screened file as its contract describes it (ParseFailure when it cannot)."""
    if contract.source_format == "csv":
        renamed = {name: source for source, name in contract.renamed_from_source().items()}
        in_file = [renamed.get(name, name) for name in contract.column_names]
        check_delimiter(path, contract.source_encoding, contract.source_delimiter, in_file)
    return scan_source_file(
        path,
        contract.source_format,
        contract.source_encoding,
        contract.source_delimiter,
        contract.source_max_field_chars,
    )
