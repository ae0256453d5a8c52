"""The web shop's click stream: sessions of events around the day's orders.

Every order placed today comes with a buying session of five events (page_view,
product_view, add_to_cart, checkout, purchase) that ends at the order's order_ts, by
the ordering customer, looking at the order's first product. On top of that, visitors
browse without buying: sessions of one to four events, most of them anonymous.
Events are delivered in time order; an event's timestamp always lies in its day.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medallion.generate import quirks, text
from medallion.generate.customers import customer_ids
from medallion.generate.products import product_ids

EVENT_TYPES = ("page_view", "product_view", "add_to_cart", "checkout", "purchase")
PRODUCT_EVENTS = np.array([False, True, True, False, False])  # carry a product_id
PURCHASE_STEP = len(EVENT_TYPES) - 1
BROWSING_SESSIONS_PER_ORDER = 0.25
ANONYMOUS_BROWSING_SHARE = 0.6  # customer_id null, or "" (half each) in the JSON
MIXED_CASE_SHARE = 0.02  # event_type written as Page_view or ADD_TO_CART


@dataclass
class Sessions:
    """Visits as numbers; the events of a session are its first `steps` funnel steps."""

    customer: np.ndarray  # customer index, -1 = anonymous
    product: np.ndarray  # product looked at
    steps: np.ndarray  # 1..5 events
    anchor_ts: np.ndarray  # epoch seconds of the anchor step
    anchor_step: np.ndarray  # 0 (session start) or PURCHASE_STEP (the order)
    seconds_between_steps: np.ndarray

    @staticmethod
    def concat(parts: list[Sessions]) -> Sessions:
        return Sessions(
            **{
                f.name: np.concatenate([getattr(p, f.name) for p in parts])
                for f in fields(Sessions)
            }
        )


def buying_sessions(
    generator: np.random.Generator, customer: np.ndarray, product: np.ndarray, order_ts: np.ndarray
) -> Sessions:
    """One full funnel per order, ending with the purchase at the order's order_ts."""
    count = len(customer)
    return Sessions(
        customer=customer,
        product=product,
        steps=np.full(count, len(EVENT_TYPES)),
        anchor_ts=order_ts,
        anchor_step=np.full(count, PURCHASE_STEP),
        seconds_between_steps=generator.integers(15, 240, count),
    )


def browsing_sessions(
    generator: np.random.Generator, count: int, day: date, customers: int, products: np.ndarray
) -> Sessions:
    """Visits that stop before checkout; most visitors are not logged in."""
    anonymous = generator.random(count) < ANONYMOUS_BROWSING_SHARE
    return Sessions(
        customer=np.where(anonymous, -1, generator.integers(0, customers, count)),
        product=products,
        steps=generator.integers(1, PURCHASE_STEP, count),
        anchor_ts=text.day_start(day) + generator.integers(0, text.SECONDS_PER_DAY, count),
        anchor_step=np.zeros(count, dtype=np.int64),
        seconds_between_steps=generator.integers(5, 300, count),
    )


def event_columns(
    sessions: Sessions,
    generator: np.random.Generator,
    day: date,
    first_event: int,
    first_session: int,
) -> quirks.Columns:
    """One row per event, in time order, numbered from `first_event` (ids are per day)."""
    session = np.repeat(np.arange(len(sessions.steps)), sessions.steps)
    step = np.arange(len(session)) - (np.cumsum(sessions.steps) - sessions.steps)[session]
    offset = (step - sessions.anchor_step[session]) * sessions.seconds_between_steps[session]
    midnight = text.day_start(day)
    event_ts = np.clip(
        sessions.anchor_ts[session] + offset, midnight, midnight + text.SECONDS_PER_DAY - 1
    )
    in_time_order = np.argsort(event_ts, kind="stable")
    session, step, event_ts = session[in_time_order], step[in_time_order], event_ts[in_time_order]
    event_type = text.labels(EVENT_TYPES, step)
    return {
        "event_id": text.dated_ids("E", day, first_event + np.arange(len(step)), 9),
        "session_id": text.dated_ids("S", day, first_session + session, 8),
        "customer_id": _visitor_ids(sessions.customer[session], session),
        "event_type": quirks.messy_case(event_type, generator, MIXED_CASE_SHARE),
        "product_id": pc.if_else(
            pa.array(PRODUCT_EVENTS[step]),
            product_ids(sessions.product[session]),
            pa.scalar(None, pa.string()),
        ),
        "event_ts": text.timestamps(event_ts),
    }


def _visitor_ids(customer: np.ndarray, session: np.ndarray) -> pa.Array:
    """Customer ids; anonymous sessions get null or "" (the tracker is not consistent)."""
    ids = customer_ids(np.maximum(customer, 0))
    empty_not_null = session % 2 == 0  # the same choice for every event of a session
    anonymous_text = pc.if_else(pa.array(empty_not_null), "", pa.scalar(None, pa.string()))
    return pc.if_else(pa.array(customer < 0), anonymous_text, ids)
