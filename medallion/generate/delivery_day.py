"""One delivery day of the shop: what each of the five sources exports that day.

Orders, their lines and the click stream are generated in chunks of ORDERS_PER_CHUNK
orders, each chunk from its own random stream, so memory stays flat at any size and a
chunk's rows do not depend on how much memory the machine has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from medallion.generate import customers, defects, events, orders, products, quirks, text
from medallion.generate.files import DeliveryWriter
from medallion.generate.order_updates import FollowUps, first_follow_ups, same_day_placed_versions
from medallion.generate.randomness import pick_count, pick_rows, rng

ORDERS_PER_CHUNK = 200_000
CUSTOMERS_PER_CHUNK = 1_000_000
DUPLICATE_SHARE = 0.005  # exact copies of a row in the same file
CUSTOMER_CHANGE_SHARE = 0.01  # new customers, and changed customers, per later day


@dataclass
class Shop:
    """Everything that carries over from one delivery day to the next."""

    seed: int
    orders_per_day: int
    customer_book: customers.CustomerBook
    catalogue: products.Catalogue
    follow_ups: FollowUps

    @staticmethod
    def open(seed: int, start: date, orders_per_day: int) -> Shop:
        first_customers = max(50, orders_per_day // 2)
        catalogue_size = max(30, min(5000, orders_per_day // 10))
        return Shop(
            seed=seed,
            orders_per_day=orders_per_day,
            customer_book=customers.CustomerBook(
                seed=seed,
                start=start,
                first_count=first_customers,
                new_per_day=max(1, round(CUSTOMER_CHANGE_SHARE * first_customers)),
            ),
            catalogue=products.new_catalogue(rng(seed, "catalogue"), catalogue_size, start),
            follow_ups=FollowUps.none(),
        )


@dataclass(frozen=True)
class Chunk:
    """A slice of one day's new orders, with the running numbers its ids start from."""

    customer_book: customers.CustomerBook
    day_index: int
    day: date
    index: int  # 0, 1, ... within the day
    orders: int
    first_order: int  # sequence number of the chunk's first order that day
    first_event: int
    first_session: int

    @property
    def daily_minimum(self) -> int:
        """1 in the day's first chunk, which carries the "at least one a day" quirks; else 0."""
        return int(self.index == 0)

    @property
    def first_defect_kind(self) -> int:
        """Where the turn of invalid-row kinds starts (it moves on every day)."""
        return self.day_index + self.index

    @property
    def customers_available(self) -> int:
        """Orders come from customers delivered before today (on day 0: that day's)."""
        return self.customer_book.delivered_through(max(self.day_index - 1, 0))


def write_day(shop: Shop, day_index: int, day: date, writers: dict[str, DeliveryWriter]) -> None:
    """Write every source's delivery for `day` (delivery day number `day_index`)."""
    write_customers(shop, day_index, day, writers["customers"])
    write_products(shop, day_index, day, writers["products"])
    updates = shop.follow_ups.deliver(rng(shop.seed, "order_updates", day_index), day)
    first_event = first_session = 1
    for index, first_order in enumerate(range(1, shop.orders_per_day + 1, ORDERS_PER_CHUNK)):
        count = min(ORDERS_PER_CHUNK, shop.orders_per_day - first_order + 1)
        chunk = Chunk(
            customer_book=shop.customer_book,
            day_index=day_index,
            day=day,
            index=index,
            orders=count,
            first_order=first_order,
            first_event=first_event,
            first_session=first_session,
        )
        events_written, sessions_written = write_order_chunk(shop, chunk, writers)
        first_event += events_written
        first_session += sessions_written
    # Status changes of earlier orders follow the day's new orders in the export.
    updates_text = orders.order_columns(updates, rng(shop.seed, "order_update_text", day_index))
    writers["orders"].write(updates_text)


def write_customers(shop: Shop, day_index: int, day: date, writer: DeliveryWriter) -> None:
    """Day 0: every customer (in chunks). Later days: new customers and changed ones."""
    book = shop.customer_book
    if day_index == 0:
        for first in range(0, book.first_count, CUSTOMERS_PER_CHUNK):
            index = np.arange(first, min(first + CUSTOMERS_PER_CHUNK, book.first_count))
            generator = rng(shop.seed, "customers", day_index, first)
            versions = book.base_versions(index)
            writer.write(customers.customer_columns(book, versions, generator, int(first == 0)))
        return
    generator = rng(shop.seed, "customers", day_index)
    known = book.delivered_through(day_index - 1)
    new = book.base_versions(np.arange(known, book.delivered_through(day_index)))
    # As many customers change their details as new ones arrive (about 1% each).
    changed_index = pick_count(generator, known, book.new_per_day)
    changed = customers.changed_versions(book, generator, day, changed_index)
    versions = customers.concat_versions(new, changed)
    writer.write(customers.customer_columns(book, versions, generator, 0))


def write_products(shop: Shop, day_index: int, day: date, writer: DeliveryWriter) -> None:
    """Day 0: the whole catalogue. Later days: the products whose price changed."""
    generator = rng(shop.seed, "products", day_index)
    catalogue = shop.catalogue
    if day_index == 0:
        product = np.arange(catalogue.size)
        as_of = catalogue.history_valid_from  # one version per product, in product order
    else:
        product, as_of = products.change_prices(catalogue, generator, day)
    writer.write(products.product_columns(catalogue, product, as_of, generator))


def write_order_chunk(
    shop: Shop, chunk: Chunk, writers: dict[str, DeliveryWriter]
) -> tuple[int, int]:
    """Write a chunk's new orders, their lines and their click stream.

    Returns how many events and sessions were written (the next chunk numbers on).
    """
    generator = rng(shop.seed, "orders", chunk.day_index, chunk.index)
    new_orders, lines = orders.draw_new_orders(
        generator,
        chunk.day,
        chunk.first_order,
        chunk.orders,
        chunk.customers_available,
        shop.catalogue,
        late_at_least=chunk.daily_minimum,
    )
    lines_per_order = np.bincount(lines.order, minlength=chunk.orders)
    invalid = defects.pick_invalid_orders(generator, lines_per_order, chunk.daily_minimum)
    is_valid = np.ones(chunk.orders, dtype=bool)
    is_valid[invalid] = False
    late = new_orders.order_ts < text.day_start(chunk.day)
    shop.follow_ups.add(first_follow_ups(new_orders, np.flatnonzero(is_valid), generator))

    _write_new_orders(new_orders, is_valid, late, chunk, generator, writers["orders"])
    _write_lines(new_orders, lines, is_valid, chunk, generator, writers["order_items"])
    on_time = np.flatnonzero(~late)
    first_product = lines.product[lines.first_line_of_order]
    placed_today = new_orders.take(on_time)
    return write_events(shop, chunk, placed_today, first_product[on_time], writers["events"])


def _write_new_orders(
    new_orders: orders.OrderRows,
    is_valid: np.ndarray,
    late: np.ndarray,
    chunk: Chunk,
    generator: np.random.Generator,
    writer: DeliveryWriter,
) -> None:
    valid = np.flatnonzero(is_valid)
    same_day = same_day_placed_versions(new_orders, valid, late, generator)
    rows = orders.OrderRows.concat([new_orders, same_day])
    columns = orders.order_columns(rows, generator)
    columns = defects.break_orders(columns, np.flatnonzero(~is_valid), chunk.first_defect_kind)
    valid_rows = np.concatenate([valid, len(new_orders) + np.arange(len(same_day))])
    writer.write(_with_copies(columns, valid_rows, generator, chunk.daily_minimum))


def _write_lines(
    new_orders: orders.OrderRows,
    lines: orders.OrderLines,
    is_valid: np.ndarray,
    chunk: Chunk,
    generator: np.random.Generator,
    writer: DeliveryWriter,
) -> None:
    columns = orders.line_columns(new_orders, lines)
    first_lines_of_invalid = lines.first_line_of_order[~is_valid]
    columns = defects.break_lines(columns, first_lines_of_invalid, chunk.first_defect_kind)
    lines_of_valid = np.flatnonzero(is_valid[lines.order])
    writer.write(_with_copies(columns, lines_of_valid, generator, chunk.daily_minimum))


def write_events(
    shop: Shop,
    chunk: Chunk,
    placed_today: orders.OrderRows,
    first_product: np.ndarray,
    writer: DeliveryWriter,
) -> tuple[int, int]:
    """The click stream of a chunk: a buying session per order placed today, plus browsing.

    Returns how many events and sessions were written.
    """
    generator = rng(shop.seed, "events", chunk.day_index, chunk.index)
    browsing_count = round(events.BROWSING_SESSIONS_PER_ORDER * chunk.orders)
    buying = events.buying_sessions(
        generator, placed_today.customer, first_product, placed_today.order_ts
    )
    browsing = events.browsing_sessions(
        generator,
        browsing_count,
        chunk.day,
        chunk.customers_available,
        shop.catalogue.draw(generator, browsing_count),
    )
    sessions = events.Sessions.concat([buying, browsing])
    columns = events.event_columns(
        sessions, generator, chunk.day, chunk.first_event, chunk.first_session
    )
    event_count = len(columns["event_id"])
    at_least = len(defects.EVENT_DEFECTS) * chunk.daily_minimum
    broken = pick_rows(generator, event_count, defects.INVALID_EVENT_SHARE, at_least)
    columns = defects.break_events(columns, broken, chunk.first_defect_kind)
    intact = np.ones(event_count, dtype=bool)
    intact[broken] = False
    writer.write(_with_copies(columns, np.flatnonzero(intact), generator, chunk.daily_minimum))
    return event_count, len(sessions.steps)


def _with_copies(
    columns: quirks.Columns, candidates: np.ndarray, generator: np.random.Generator, at_least: int
) -> quirks.Columns:
    """Add exact copies of about DUPLICATE_SHARE of the rows, chosen among `candidates`."""
    originals = candidates[pick_rows(generator, len(candidates), DUPLICATE_SHARE, at_least)]
    return quirks.with_exact_copies(columns, originals, generator)
