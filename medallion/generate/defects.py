"""Invalid rows on purpose: the rows the silver layer must reject into quarantine.

Each table has a list of defect kinds. A day's invalid rows take the kinds in turn,
starting from a kind that moves on every day, so a delivery with five invalid orders has
every kind and a tiny delivery with one invalid order per day shows every kind within
four days (while keeping a tiny day's rejected share under the 5% quality gate).

Invalid orders are chosen among orders with at least two lines, and only the *first*
line of an invalid order is broken: the other lines are valid rows whose order never
reaches silver, which gold must drop by joining lines to orders.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medallion.generate import quirks
from medallion.generate.randomness import pick_count

INVALID_ORDER_SHARE = 0.01
ORDER_DEFECTS = ("negative_amount", "unknown_status", "empty_order_id", "non_numeric_amount")
UNKNOWN_STATUS = "on_hold"
LINE_DEFECTS = ("zero_quantity", "negative_quantity", "empty_product_id")
EVENT_DEFECTS = ("empty_event_id", "unknown_event_type")
INVALID_EVENT_SHARE = 0.005
UNKNOWN_EVENT_TYPE = "scroll"


def _positions_by_kind(
    positions: np.ndarray, first_kind: int, kinds: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """Share sorted `positions` out among the defect kinds in turn (each part stays sorted)."""
    turn = (first_kind + np.arange(len(positions))) % len(kinds)
    return {kind: positions[turn == number] for number, kind in enumerate(kinds)}


def pick_invalid_orders(
    generator: np.random.Generator, lines_per_order: np.ndarray, at_least: int
) -> np.ndarray:
    """Sorted positions of the orders to break: about 1%, among orders with 2+ lines."""
    candidates = np.flatnonzero(lines_per_order >= 2)
    count = max(at_least, round(INVALID_ORDER_SHARE * len(lines_per_order)))
    return candidates[pick_count(generator, len(candidates), count)]


def break_orders(columns: quirks.Columns, positions: np.ndarray, first_kind: int) -> quirks.Columns:
    """Give each order at `positions` one defect: the silver rules must catch them all."""
    at = _positions_by_kind(positions, first_kind, ORDER_DEFECTS)
    amount = columns["amount"]
    negative = pc.binary_join_element_wise("-", amount.take(at["negative_amount"]), "")
    # A decimal comma ("12,50") or a placeholder ("n/a") instead of a number.
    unreadable = at["non_numeric_amount"]
    comma = pc.replace_substring(amount.take(unreadable), ".", ",")
    non_numeric = pc.if_else(pa.array(np.arange(len(unreadable)) % 2 == 1), "n/a", comma)
    replaced = dict(columns)
    amount = quirks.replace_at(amount, at["negative_amount"], negative)
    replaced["amount"] = quirks.replace_at(amount, unreadable, non_numeric)
    replaced["status"] = quirks.replace_at(columns["status"], at["unknown_status"], UNKNOWN_STATUS)
    replaced["order_id"] = _set_null(columns["order_id"], at["empty_order_id"])
    return replaced


def break_lines(columns: quirks.Columns, positions: np.ndarray, first_kind: int) -> quirks.Columns:
    """Give each order line at `positions` one defect."""
    at = _positions_by_kind(positions, first_kind, LINE_DEFECTS)
    replaced = dict(columns)
    quantity = quirks.replace_at(columns["quantity"], at["zero_quantity"], "0")
    replaced["quantity"] = quirks.replace_at(quantity, at["negative_quantity"], "-1")
    replaced["product_id"] = _set_null(columns["product_id"], at["empty_product_id"])
    return replaced


def break_events(columns: quirks.Columns, positions: np.ndarray, first_kind: int) -> quirks.Columns:
    """Give each event at `positions` one defect."""
    at = _positions_by_kind(positions, first_kind, EVENT_DEFECTS)
    replaced = dict(columns)
    replaced["event_id"] = _set_null(columns["event_id"], at["empty_event_id"])
    replaced["event_type"] = quirks.replace_at(
        columns["event_type"], at["unknown_event_type"], UNKNOWN_EVENT_TYPE
    )
    return replaced


def _set_null(values: pa.Array, positions: np.ndarray) -> pa.Array:
    """An empty field at `positions` (null is written as nothing between two commas)."""
    keep = np.ones(len(values), dtype=bool)
    keep[positions] = False
    return pc.if_else(pa.array(keep), values, pa.scalar(None, pa.string()))
