"""Writing one source's delivery for one day: CSV or JSON-lines files in numbered parts.

    <out_dir>/<folder>/<ds>/<folder>-part-00000.csv     header row, then data rows
    <out_dir>/<folder>/<ds>/<folder>-part-00000.jsonl   one JSON object per line

A part holds at most MAX_ROWS_PER_PART rows; big deliveries continue in part-00001 and so
on. Each part is written under a hidden temporary name and renamed when complete, so a
reader (which skips names starting with ".") never sees half a file.

Rows arrive as columns of text (pyarrow string arrays, null = empty) and are turned into
lines with vectorised string functions:
- CSV quoting is minimal, as Python's csv module does it: a field is quoted only when it
  holds a comma, a double quote or a line break; quotes inside are doubled.
- JSON lines hold every column as a JSON string, or `null` for an empty value.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medallion.contracts import Contract

MAX_ROWS_PER_PART = 2_000_000
SUFFIXES = {"csv": ".csv", "jsonl": ".jsonl"}


def _csv_field(values: pa.Array) -> pa.Array:
    needs_quotes = pc.match_substring_regex(values, r'[",\r\n]')
    if pc.any(needs_quotes).as_py():  # rare: most columns never need quoting
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
        values = pc.if_else(needs_quotes, quoted, values)
    return pc.fill_null(values, "")


def _json_value(name: str, values: pa.Array) -> pa.Array:
    """A JSON string ("value", quotes and backslashes escaped), or null."""
    if pc.any(pc.match_substring_regex(values, r'["\\\x00-\x1f]')).as_py():
        if pc.any(pc.match_substring_regex(values, r"[\x00-\x1f]")).as_py():
            raise ValueError(f"column {name!r} holds control characters, which are not escaped")
        values = pc.replace_substring(pc.replace_substring(values, "\\", "\\\\"), '"', '\\"')
    return pc.fill_null(pc.binary_join_element_wise('"', values, '"', ""), "null")


def csv_lines(columns: dict[str, pa.Array]) -> pa.Array:
    """One CSV line per row, each ending in a newline."""
    pieces = []
    for values in columns.values():
        pieces += [_csv_field(values), ","]
    pieces[-1] = "\n"
    # One pass over all columns: the pieces are joined with nothing in between.
    return pc.binary_join_element_wise(*pieces, "")


def json_lines(columns: dict[str, pa.Array]) -> pa.Array:
    """One JSON object per row, keys in column order, each ending in a newline."""
    pieces = []
    for name, values in columns.items():
        pieces += [f',"{name}":', _json_value(name, values)]
    pieces[0] = "{" + pieces[0].removeprefix(",")
    return pc.binary_join_element_wise(*pieces, "}\n", "")


def _concatenated(lines: pa.Array) -> pa.Buffer:
    """All lines back to back, as bytes, without copying them into Python strings.

    A pyarrow string array keeps its values in one contiguous buffer, delimited by an
    offsets buffer; since every line ends in a newline, that stretch *is* the file text.
    """
    if len(lines) == 0:
        return pa.py_buffer(b"")
    _, offsets, values = lines.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int32)[[lines.offset, lines.offset + len(lines)]]
    return values[int(bounds[0]) : int(bounds[1])]


class DeliveryWriter:
    """Writes one table's files for one delivery date, splitting into parts as they fill."""

    def __init__(
        self, folder: Path, contract: Contract, max_rows_per_part: int = MAX_ROWS_PER_PART
    ):
        self.folder = folder
        self.contract = contract
        self.max_rows_per_part = max_rows_per_part
        self.rows = 0
        self._part_number = -1
        self._rows_in_part = 0
        self._handle = None
        self._temporary: Path | None = None

    def write(self, columns: dict[str, pa.Array]) -> None:
        """Append rows given as text columns named and ordered exactly as the contract."""
        if list(columns) != self.contract.column_names:
            raise ValueError(
                f"{self.contract.table}: generated columns {list(columns)} differ from the "
                f"contract {self.contract.path}: {self.contract.column_names}"
            )
        row_count = len(next(iter(columns.values())))
        if row_count == 0:
            return
        if self._handle is None or self._rows_in_part + row_count > self.max_rows_per_part:
            self._start_part()
        if self.contract.source_format == "csv":
            lines = csv_lines(columns)
        else:
            lines = json_lines(columns)
        self._handle.write(_concatenated(lines))
        self._rows_in_part += row_count
        self.rows += row_count

    def close(self) -> int:
        """Finish the last part (an empty delivery still gets one file); return the rows."""
        if self._handle is None:
            self._start_part()
        self._finish_part()
        return self.rows

    def _start_part(self) -> None:
        self._finish_part()
        self._part_number += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        self._temporary = self.folder / f".{self._part_name()}.tmp"
        self._handle = self._temporary.open("wb")
        self._rows_in_part = 0
        if self.contract.source_format == "csv":
            self._handle.write((",".join(self.contract.column_names) + "\n").encode("utf-8"))

    def _finish_part(self) -> None:
        if self._handle is None:
            return
        self._handle.close()
        os.replace(self._temporary, self.folder / self._part_name())
        self._handle = None

    def _part_name(self) -> str:
        suffix = SUFFIXES[self.contract.source_format]
        return f"{self.contract.source_folder}-part-{self._part_number:05d}{suffix}"

    def __enter__(self) -> DeliveryWriter:
        return self

    def __exit__(
        self,
        error_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error_type is None:
            self.close()
        elif self._handle is not None:
            # A failed delivery leaves no file behind that could pass for a finished one.
            self._handle.close()
            self._temporary.unlink(missing_ok=True)
