"""Business rules: promises about silver data that a contract cannot express.

A contract speaks about one table's columns one value at a time; some promises span rows
or tables. Each rule adds one derived column to the silver frame before validation and
expects its values within bounds. Where a rule does not apply to a row, the derived
value is null, and the expectation skips it.

| table            | derived column              | expected between | the promise                  |
|------------------|-----------------------------|------------------|------------------------------|
| ecommerce.orders | `_amount_minus_items_total` | -0.01 and 0.01   | amount = Σ its items, ±1 cent |

To add a rule: write its `derive` function and list it in `_RULES`; then regenerate the
suites (`python -m medallion.quality.build_suites`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from medallion.contracts import load_contract
from medallion.quality.frames import (
    DEDUPLICATION_REASONS,
    REJECT_REASON,
    read_partition_table,
    to_pandas,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class BusinessRule:
    """A derived column of the silver frame and the range its values must stay in."""

    column: str
    min_value: float
    max_value: float
    description: str
    # (silver frame, dataset, delivery date) -> one value per row of the frame
    derive: Callable[[pd.DataFrame, str, str], pd.Series | np.ndarray]

    def expectation(self):
        import great_expectations.expectations as gxe

        return gxe.ExpectColumnValuesToBeBetween(
            column=self.column,
            min_value=self.min_value,
            max_value=self.max_value,
            description=self.description,
        )


def amount_minus_items_total(orders: pd.DataFrame, dataset: str, ds: str) -> np.ndarray:
    """Per order: its `amount` minus Σ quantity × unit_price of its lines, in EUR.

    Lines are delivered once, on the day the order is placed, so only orders whose lines
    are in the same delivery are compared. Null (not compared) when the lines came on
    another day (this row is a status update), or when one of its lines was rejected
    into quarantine (the order's total cannot be known).
    """
    difference = orders["amount"] - orders["order_id"].map(items_total_by_order(dataset, ds))
    # numpy float64: Great Expectations checks ranges on it vectorised.
    return difference.astype("float64[pyarrow]").to_numpy(dtype="float64", na_value=float("nan"))


def items_total_by_order(dataset: str, ds: str) -> pd.Series:
    """Σ quantity × unit_price per order_id over one delivery's silver order lines,
    leaving out the orders one of whose lines was rejected into quarantine."""
    import pyarrow as pa
    import pyarrow.compute as pc

    items_contract = load_contract(dataset, "order_items")
    items = read_partition_table(
        "silver", items_contract, ds, ["order_id", "quantity", "unit_price"]
    )
    rejected = read_partition_table("quarantine", items_contract, ds, ["order_id", REJECT_REASON])

    # Summed by arrow: exact decimals, and ~50x faster than a pandas group-by on them.
    line_totals = pa.table(
        {
            "order_id": items["order_id"],
            "items_total": pc.multiply(items["quantity"], items["unit_price"]),
        }
    )
    totals = line_totals.group_by("order_id").aggregate([("items_total", "sum")])
    breaks_a_rule = pc.invert(pc.is_in(rejected[REJECT_REASON], pa.array(DEDUPLICATION_REASONS)))
    # Quarantined rows hold the raw delivered strings: trim them like the refine step does.
    incomplete_orders = pc.utf8_trim_whitespace(rejected["order_id"].filter(breaks_a_rule))
    totals = totals.filter(pc.invert(pc.is_in(totals["order_id"], incomplete_orders)))
    # Arrow sums decimals at the widest precision (38); narrow it so `amount - total` fits.
    totals = totals.select(["order_id", "items_total_sum"]).cast(
        pa.schema([("order_id", pa.string()), ("items_total_sum", pa.decimal128(20, 2))])
    )
    return to_pandas(totals).set_index("order_id")["items_total_sum"]


_RULES: dict[tuple[str, str], list[BusinessRule]] = {
    ("ecommerce", "orders"): [
        BusinessRule(
            column="_amount_minus_items_total",
            min_value=-0.01,
            max_value=0.01,
            description=(
                "An order's amount equals the sum of its items (quantity × unit_price) "
                "within a cent, for orders whose lines are in the same delivery."
            ),
            derive=amount_minus_items_total,
        )
    ],
}


def business_rules(dataset: str, table: str) -> list[BusinessRule]:
    """The rules of one table (most tables have none)."""
    return _RULES.get((dataset, table), [])


def add_business_columns(frame: pd.DataFrame, dataset: str, table: str, ds: str) -> pd.DataFrame:
    """The silver frame with one derived column per business rule of its table."""
    derived = {
        rule.column: rule.derive(frame, dataset, ds) for rule in business_rules(dataset, table)
    }
    return frame.assign(**derived) if derived else frame
