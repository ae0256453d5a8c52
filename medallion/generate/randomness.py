"""Reproducible randomness: every random number is a function of the seed and a name.

Two tools, both independent of the order in which things are generated:

- `rng(seed, "orders", day, chunk)` gives a numpy Generator for one named stream, so
  the orders of day 3 do not change when the products of day 2 draw one more number.
- `hashed_uniform(seed, "segment", customer_index)` gives a number per index without
  any state: a customer's attributes can be recomputed on any later day (to write a
  changed version) without keeping millions of customers in memory.
"""

from __future__ import annotations

import zlib

import numpy as np

_MASK64 = (1 << 64) - 1


def _stream_code(part: int | str) -> int:
    """Strings become stable numbers (crc32 does not change between Python runs)."""
    if isinstance(part, str):
        return zlib.crc32(part.encode("utf-8"))
    if part < 0:
        raise ValueError(f"stream parts must be non-negative, got {part}")
    return part


def rng(seed: int, *stream: int | str) -> np.random.Generator:
    """The random generator of one named stream, e.g. rng(42, "orders", day, chunk)."""
    return np.random.default_rng([_stream_code(seed), *map(_stream_code, stream)])


def hashed_uniform(seed: int, salt: str, index: np.ndarray) -> np.ndarray:
    """One float in [0, 1) per index, a pure function of (seed, salt, index).

    splitmix64: a few multiply/shift rounds that turn consecutive integers into
    well-mixed 64-bit numbers; numpy's uint64 arithmetic wraps around as it needs to.
    """
    offset = (_stream_code(seed) * 0x9E3779B97F4A7C15 + _stream_code(salt)) & _MASK64
    with np.errstate(over="ignore"):
        x = np.asarray(index, dtype=np.uint64) + np.uint64(offset)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def hashed_choice(seed: int, salt: str, index: np.ndarray, weights: list[float]) -> np.ndarray:
    """For each index, a position in `weights` drawn with those relative weights."""
    cumulative = np.cumsum(weights) / np.sum(weights)
    positions = np.searchsorted(cumulative, hashed_uniform(seed, salt, index), side="right")
    return np.minimum(positions, len(weights) - 1)  # float rounding at the very top


def pick_rows(generator: np.random.Generator, rows: int, share: float, at_least: int) -> np.ndarray:
    """Sorted positions of about `share` of `rows` rows (never fewer than `at_least`).

    The quirks use this: a small share at scale, and still present in a tiny delivery.
    """
    return pick_count(generator, rows, max(at_least, round(share * rows)))


def pick_count(generator: np.random.Generator, rows: int, count: int) -> np.ndarray:
    """Sorted positions of `count` different rows out of `rows` (all of them if fewer)."""
    if rows == 0 or count <= 0:
        return np.zeros(0, dtype=np.int64)
    return np.sort(generator.choice(rows, size=min(rows, count), replace=False))
