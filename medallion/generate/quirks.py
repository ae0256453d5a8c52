"""The deliberate imperfections every source shows, applied to columns of text.

Each helper works on whole columns and touches only the rows it is given, so the share
of affected rows is decided by the caller (see `randomness.pick_rows`).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medallion.generate.randomness import pick_rows

Columns = dict[str, pa.Array]  # column name -> text per row, null = empty field


def messy_case(values: pa.Array, generator: np.random.Generator, share: float) -> pa.Array:
    """About `share` of the values (at least one) rewritten the way a sloppy source does.

    The styles take turns: " Shipped " (capitalized and padded), "SHIPPED", "Shipped";
    so even a one-row delivery shows the worst case and a three-row one shows all three.
    """
    positions = pick_rows(generator, len(values), share, 1)
    chosen = values.take(pa.array(positions, pa.int64()))
    capitalized = pc.utf8_capitalize(chosen)
    padded = pc.binary_join_element_wise(" ", capitalized, " ", "")
    style = pa.array(np.arange(len(positions)) % 3, pa.int8())
    messy = pc.choose(style, padded, pc.utf8_upper(chosen), capitalized)
    return replace_at(values, positions, messy)


def replace_at(values: pa.Array, positions: np.ndarray, replacement: str | pa.Array) -> pa.Array:
    """`values` with the rows at sorted `positions` replaced by one text, or by one text
    per position (in the same order)."""
    if len(positions) == 0:
        return values
    mask = np.zeros(len(values), dtype=bool)
    mask[positions] = True
    if isinstance(replacement, str):
        replacement = pa.repeat(pa.scalar(replacement, pa.string()), len(positions))
    return pc.replace_with_mask(values, pa.array(mask), replacement)


def with_exact_copies(
    columns: Columns, originals: np.ndarray, generator: np.random.Generator
) -> Columns:
    """Insert a second, identical copy of each row in `originals` a little further down.

    This is what a sender that retries a batch produces: the same line twice in one file.
    """
    rows = len(next(iter(columns.values())))
    order = np.arange(rows)
    insert_before = np.minimum(originals + 1 + generator.integers(0, 20, len(originals)), rows)
    order = np.insert(order, insert_before, originals)
    take = pa.array(order)
    return {name: values.take(take) for name, values in columns.items()}
