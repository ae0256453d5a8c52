"""The shop's order export: orders and their lines, as numbers and as delivered text.

An order number is `yyyymmdd * 10**8 + sequence` (the day the order was first delivered
and its position that day) and is written as `O-yyyymmdd-00000042`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medallion.generate import quirks, text
from medallion.generate.customers import customer_ids
from medallion.generate.products import Catalogue, product_ids
from medallion.generate.randomness import pick_rows

STATUSES = ("placed", "paid", "shipped", "delivered", "cancelled", "returned")
PLACED, PAID, SHIPPED, DELIVERED, CANCELLED, RETURNED = range(len(STATUSES))
PAYMENT_METHODS = ("card", "paypal", "bank_transfer", "gift_card")
PAYMENT_WEIGHTS = [0.55, 0.25, 0.12, 0.08]
LINES_PER_ORDER_WEIGHTS = [0.4, 0.25, 0.17, 0.1, 0.08]  # 1 to 5 lines
QUANTITY_WEIGHTS = [0.6, 0.2, 0.1, 0.06, 0.04]  # 1 to 5 units
# Orders per hour of the day (UTC): quiet nights, a lunch bump, a busy evening.
HOURLY_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 6, 7, 8, 7, 6, 6, 7, 8, 10, 11, 10, 8, 5, 2]
PAID_AT_ONCE_SHARE = 0.35  # first version already paid; the rest are "placed"
LATE_SHARE = 0.01  # placed yesterday, delivered today
MESSY_STATUS_SHARE = 0.05  # " Shipped ", "DELIVERED", "Paid"
_SEQUENCE_DIGITS = 10**8


@dataclass
class OrderRows:
    """Rows of the order export as numbers, one array element per row."""

    number: np.ndarray  # yyyymmdd * 10**8 + sequence
    customer: np.ndarray  # customer index
    order_ts: np.ndarray  # epoch seconds
    updated_ts: np.ndarray  # epoch seconds: when this version was written
    status: np.ndarray  # code into STATUSES
    payment: np.ndarray  # code into PAYMENT_METHODS, -1 = not paid yet
    amount: np.ndarray  # cents

    def __len__(self) -> int:
        return len(self.number)

    @staticmethod
    def empty() -> OrderRows:
        return OrderRows(**{f.name: np.zeros(0, dtype=np.int64) for f in fields(OrderRows)})

    def take(self, positions: np.ndarray) -> OrderRows:
        return OrderRows(**{f.name: getattr(self, f.name)[positions] for f in fields(self)})

    @staticmethod
    def concat(parts: list[OrderRows]) -> OrderRows:
        return OrderRows(
            **{
                f.name: np.concatenate([getattr(p, f.name) for p in parts])
                for f in fields(OrderRows)
            }
        )


@dataclass
class OrderLines:
    """Order lines as numbers; the lines of one order are consecutive."""

    order: np.ndarray  # position of the line's order in the OrderRows it was drawn with
    line_number: np.ndarray  # 1, 2, ... within the order
    product: np.ndarray  # product index
    quantity: np.ndarray
    unit_price: np.ndarray  # cents

    @property
    def first_line_of_order(self) -> np.ndarray:
        return np.flatnonzero(self.line_number == 1)


def draw_new_orders(
    generator: np.random.Generator,
    day: date,
    first_sequence: int,
    count: int,
    customers_available: int,
    catalogue: Catalogue,
    late_at_least: int,
) -> tuple[OrderRows, OrderLines]:
    """`count` orders first delivered on `day`, numbered from `first_sequence`, with lines."""
    midnight = text.day_start(day)
    hour = generator.choice(24, size=count, p=np.array(HOURLY_WEIGHTS) / sum(HOURLY_WEIGHTS))
    order_ts = midnight + hour * 3600 + generator.integers(0, 3600, count)
    late = np.zeros(count, dtype=bool)
    late[pick_rows(generator, count, LATE_SHARE, late_at_least)] = True
    order_ts = np.where(late, order_ts - text.SECONDS_PER_DAY, order_ts)
    paid = generator.random(count) < PAID_AT_ONCE_SHARE
    payment_delay = np.where(paid, generator.integers(60, 1800, count), 0)
    written_on_time = np.minimum(order_ts + payment_delay, midnight + text.SECONDS_PER_DAY - 1)
    # A late order reaches the export early the next morning.
    written_late = midnight + generator.integers(0, 6 * 3600, count)
    lines = draw_lines(generator, order_ts, catalogue)
    line_totals = lines.quantity * lines.unit_price
    orders = OrderRows(
        number=int(f"{day:%Y%m%d}") * _SEQUENCE_DIGITS + first_sequence + np.arange(count),
        # Skewed toward early customers: long-standing customers order more often.
        customer=(generator.random(count) ** 1.5 * customers_available).astype(np.int64),
        order_ts=order_ts,
        updated_ts=np.where(late, written_late, written_on_time),
        status=np.where(paid, PAID, PLACED),
        payment=np.where(paid, draw_payment(generator, count), -1),
        amount=np.add.reduceat(line_totals, lines.first_line_of_order),
    )
    return orders, lines


def draw_lines(
    generator: np.random.Generator, order_ts: np.ndarray, catalogue: Catalogue
) -> OrderLines:
    """1 to 5 lines per order, each at the list price in force when the order was placed."""
    lines_per_order = 1 + _draw(generator, LINES_PER_ORDER_WEIGHTS, len(order_ts))
    order = np.repeat(np.arange(len(order_ts)), lines_per_order)
    first_line = np.cumsum(lines_per_order) - lines_per_order
    product = catalogue.draw(generator, len(order))
    return OrderLines(
        order=order,
        line_number=np.arange(len(order)) - first_line[order] + 1,
        product=product,
        quantity=1 + _draw(generator, QUANTITY_WEIGHTS, len(order)),
        unit_price=catalogue.price_at(product, order_ts[order]),
    )


def _draw(generator: np.random.Generator, weights: list[float], count: int) -> np.ndarray:
    return generator.choice(len(weights), size=count, p=np.array(weights) / sum(weights))


def draw_payment(generator: np.random.Generator, count: int) -> np.ndarray:
    return _draw(generator, PAYMENT_WEIGHTS, count)


def order_ids(number: np.ndarray) -> pa.Array:
    day_digits = text.integers(number // _SEQUENCE_DIGITS)
    sequence = pc.utf8_lpad(text.integers(number % _SEQUENCE_DIGITS), 8, "0")
    return pc.binary_join_element_wise("O-", day_digits, "-", sequence, "")


def order_columns(orders: OrderRows, generator: np.random.Generator) -> quirks.Columns:
    """The delivered text of these order versions, with messy status spellings."""
    status = text.labels(STATUSES, orders.status)
    return {
        "order_id": order_ids(orders.number),
        "customer_id": customer_ids(orders.customer),
        "order_ts": text.timestamps(orders.order_ts),
        "status": quirks.messy_case(status, generator, MESSY_STATUS_SHARE),
        "payment_method": text.labels(PAYMENT_METHODS, orders.payment),
        "amount": text.money(orders.amount),
        "updated_at": text.timestamps(orders.updated_ts),
    }


def line_columns(orders: OrderRows, lines: OrderLines) -> quirks.Columns:
    """The delivered text of order lines; a line is written with its order's first version."""
    return {
        "order_id": order_ids(orders.number[lines.order]),
        "line_number": text.integers(lines.line_number),
        "product_id": product_ids(lines.product),
        "quantity": text.integers(lines.quantity),
        "unit_price": text.money(lines.unit_price),
        "updated_at": text.timestamps(orders.updated_ts[lines.order]),
    }
