"""Turning generated numbers into the exact text the landing files hold.

The generator works on numbers (indices, epoch seconds, cents) and formats whole
columns at once with pyarrow compute functions: no Python loop runs per row.
Every function returns a pyarrow string array; null means "empty in the file".
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SECONDS_PER_DAY = 86_400
_EPOCH = date(1970, 1, 1)


def day_start(day: date) -> int:
    """Epoch seconds of midnight UTC at the start of `day`."""
    return (day - _EPOCH).days * SECONDS_PER_DAY


def padded_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Identifiers like C00000042: a prefix and a zero-padded number."""
    digits = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def dated_ids(prefix: str, day: date, numbers: np.ndarray, width: int) -> pa.Array:
    """Identifiers like O-20261101-00000042 that carry the day they were created."""
    return padded_ids(f"{prefix}-{day:%Y%m%d}-", numbers, width)


def timestamps(epoch_seconds: np.ndarray) -> pa.Array:
    """UTC timestamps as `YYYY-MM-DD HH:MM:SS` (a cast: much faster than strftime)."""
    return pa.array(epoch_seconds, pa.timestamp("s")).cast(pa.string())


def dates(epoch_days: np.ndarray) -> pa.Array:
    """Dates as `YYYY-MM-DD`."""
    return pa.array(epoch_days, pa.int32()).cast(pa.date32()).cast(pa.string())


def integers(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.int64()).cast(pa.string())


def money(cents: np.ndarray) -> pa.Array:
    """Amounts with exactly two decimals, computed from integer cents (no float rounding)."""
    cents = np.asarray(cents, dtype=np.int64)
    units = integers(np.abs(cents) // 100)
    hundredths = pc.utf8_lpad(integers(np.abs(cents) % 100), 2, "0")
    sign = pc.if_else(pa.array(cents < 0), "-", "")
    return pc.binary_join_element_wise(sign, units, ".", hundredths, "")


def labels(names: list[str] | tuple[str, ...], codes: np.ndarray) -> pa.Array:
    """The name for each code (a position in `names`); a negative code gives null."""
    codes = np.asarray(codes, dtype=np.int64)
    return pc.take(pa.array(names, pa.string()), pa.array(codes, mask=codes < 0))
