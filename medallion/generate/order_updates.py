"""How orders change after their first delivery: the versions delivered on later days.

An order moves placed -> paid -> shipped -> delivered, and may end cancelled or
returned. Each change is exported as a new version of the whole order row on the day it
happens: same order_id, order_ts and amount, new status, later updated_at.

Which orders change tomorrow is decided today and kept in `FollowUps` (a few percent of
a day's orders), so the generator never needs to keep or re-read old deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from medallion.generate import text
from medallion.generate.orders import (
    CANCELLED,
    DELIVERED,
    PAID,
    PLACED,
    RETURNED,
    SHIPPED,
    STATUSES,
    OrderRows,
    draw_payment,
)
from medallion.generate.randomness import pick_rows

FIRST_FOLLOW_UP_SHARE = 0.05  # new orders that change status on the next day
# Next status after each status (rows: from, columns: to, in STATUSES order).
NEXT_STATUS = np.zeros((len(STATUSES), len(STATUSES)))
NEXT_STATUS[PLACED, [PAID, CANCELLED]] = [0.85, 0.15]
NEXT_STATUS[PAID, [SHIPPED, CANCELLED]] = [0.95, 0.05]
NEXT_STATUS[SHIPPED, DELIVERED] = 1.0
NEXT_STATUS[DELIVERED, RETURNED] = 1.0
# Chance that an order changes again the day after a change, by its new status.
CHANGES_AGAIN = np.array([0.0, 0.6, 0.6, 0.1, 0.0, 0.0])
SAME_DAY_PAYMENT_SHARE = 0.005  # paid orders whose "placed" version is in the same file


@dataclass
class FollowUps:
    """Orders (their latest version) that will be delivered again with a new status."""

    pending: OrderRows

    @staticmethod
    def none() -> FollowUps:
        return FollowUps(OrderRows.empty())

    def add(self, orders: OrderRows) -> None:
        self.pending = OrderRows.concat([self.pending, orders])

    def deliver(self, generator: np.random.Generator, day: date) -> OrderRows:
        """The new versions delivered on `day`; schedules some of them to change again."""
        changed = self.pending
        count = len(changed)
        # Inverse-CDF draw of each order's next status from its row of NEXT_STATUS.
        cumulative = NEXT_STATUS[changed.status].cumsum(axis=1)
        draws = generator.random(count)[:, None]
        new_status = np.minimum((draws >= cumulative).sum(axis=1), len(STATUSES) - 1)
        newly_paid = (changed.payment < 0) & (new_status != CANCELLED)
        updated = OrderRows(
            number=changed.number,
            customer=changed.customer,
            order_ts=changed.order_ts,
            updated_ts=text.day_start(day) + generator.integers(0, text.SECONDS_PER_DAY, count),
            status=new_status,
            payment=np.where(newly_paid, draw_payment(generator, count), changed.payment),
            amount=changed.amount,
        )
        again = generator.random(len(updated)) < CHANGES_AGAIN[updated.status]
        self.pending = updated.take(np.flatnonzero(again))
        return updated


def first_follow_ups(
    orders: OrderRows, valid: np.ndarray, generator: np.random.Generator
) -> OrderRows:
    """The valid new orders that will change on the next delivery day."""
    chosen = valid[pick_rows(generator, len(valid), FIRST_FOLLOW_UP_SHARE, 1)]
    return orders.take(chosen)


def same_day_placed_versions(
    orders: OrderRows, valid: np.ndarray, late: np.ndarray, generator: np.random.Generator
) -> OrderRows:
    """An earlier "placed" version for a few orders that were paid within minutes.

    Both versions land in the same file; the later one (paid) must win, the other is
    superseded within the delivery.
    """
    # Only when the payment came strictly later: equal updated_at would leave no winner.
    paid_later = (orders.status == PAID) & ~late & (orders.updated_ts > orders.order_ts)
    candidates = valid[paid_later[valid]]
    chosen = candidates[pick_rows(generator, len(candidates), SAME_DAY_PAYMENT_SHARE, 0)]
    placed = orders.take(chosen)
    placed.status = np.full(len(placed), PLACED)
    placed.payment = np.full(len(placed), -1)
    placed.updated_ts = placed.order_ts
    return placed
