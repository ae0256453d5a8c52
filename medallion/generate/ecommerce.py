"""Deterministic sample deliveries of a web shop: five sources, one folder per day.

    medallion generate ecommerce --days 3 --size small

For every delivery date `ds` from `start` on, writes (N = orders per day):

    <out_dir>/customers/<ds>/customers-part-00000.csv       CRM export
    <out_dir>/products/<ds>/products-part-00000.csv         catalogue export
    <out_dir>/orders/<ds>/orders-part-00000.csv             order export
    <out_dir>/order_items/<ds>/order_items-part-00000.csv   order lines
    <out_dir>/events/<ds>/events-part-00000.jsonl           click stream, JSON lines

CSV files start with a header row holding the contract's columns in contract order
(`data/contracts/ecommerce/*.yml`), separated by commas and quoted only where needed.
Big deliveries continue in part-00001 and on (at most 2,000,000 rows per part).
Timestamps are UTC `YYYY-MM-DD HH:MM:SS`, dates `YYYY-MM-DD`, money has two decimals.
Same arguments, same bytes: every number comes from the seed (see randomness.py).

What the shop delivers
----------------------
customers    Day 1: all customers, max(50, N/2), who signed up before that day
             (C00000001, ...). Later days: ~1% new customers (signed up that day) and
             as many changed ones (new e-mail or segment: a version with a later
             updated_at).
products     Day 1: the catalogue, max(30, min(5000, N/10)) products (P00001, ...) in
             six categories, last changed before that day. Later days: ~0.5% of
             products (at least one) get a new price, as a new version; unit_cost <
             list_price in every version.
orders       N new orders a day (O-<yyyymmdd>-<sequence>), order_ts during the day,
             status "placed" (payment_method empty, ~65%) or "paid". customer_id: a
             customer delivered on an earlier day (on day 1: in the first delivery).
             Then the orders' later versions: about 5% of a day's orders change status
             the next day, many of them again later (placed > paid > shipped >
             delivered, some cancelled or returned), each change a new version of the
             row: same order_ts and amount, later updated_at.
order_items  1 to 5 lines per new order, delivered once, with the order's first
             version; quantity 1 to 5; unit_price = the product's list price in force at
             order_ts. For every valid order: amount = sum(quantity * unit_price),
             exactly (computed in integer cents).
events       Per order placed today a buying session (page_view, product_view,
             add_to_cart, checkout, purchase at order_ts, by the order's customer), plus
             a browsing session of 1 to 4 events per four orders, 60% of them anonymous:
             about 5.5 events per order. Late orders have no events.

Quirks on purpose (share of a day's rows; "at least one" means in every delivery)
--------------------------------------------------------------------------------
all CSVs     empty field for a missing value (e.g. payment_method of a "placed" order)
orders       status in mixed case and padded: " Paid ", "DELIVERED", "Shipped"
             ~5%, at least one padded
customers    segment in mixed case or padded (" Small_business ", "CORPORATE") ~2%, >= 1
products     category in mixed case or padded                                  ~2%, >= 1
events       event_type in mixed case or padded                                ~2%, >= 1
customers    e-mail empty                                                      ~3%
customers    full_name "Müller, Anna": a comma inside, so the field is quoted   ~1%
customers    accented names (Zoë, Jürgen, Novák): the files are UTF-8
events       customer_id null, or "" (half the anonymous sessions)             ~6%
orders, order_items, events: an exact copy of a row in the same file     ~0.5%, >= 1
orders       LATE orders: order_ts on the day before the delivery             ~1%, >= 1
orders       later versions of earlier days' orders    ~5% of rows on day 2, ~8% later
orders       a "placed" and a "paid" version of one new order in the same file
             (the paid one is newer and must win)                    ~0.2%, none at N=50

Invalid rows (the silver layer must quarantine them)
----------------------------------------------------
orders       ~1%, at least one a day: negative amount, unknown status "on_hold",
             empty order_id, or a non-numeric amount ("12,50", "n/a")
order_items  the first line of every invalid order (~0.5% of lines): quantity 0,
             quantity -1, or an empty product_id
events       ~0.5%, at least two a day: empty event_id, or unknown event_type "scroll"
customers    ~1%, at least one on day 1: an extra version of a customer with the unknown
             region "central", newer than the customer's valid version (which must win,
             so every order still finds its customer)

The kinds of invalid row take turns, starting from a kind that moves on every day: at
N=500 every delivery has every kind; at N=50 ("tiny") a day has one invalid order and one
broken line, so a tiny run shows every kind within four days while a tiny day stays
under the 5% quarantine gate. An invalid order's other lines are valid rows whose order
never reaches silver: gold must drop them by joining lines to orders.
"""

from __future__ import annotations

import logging
import shutil
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

from medallion.contracts import load_contract
from medallion.generate.delivery_day import Shop, write_day
from medallion.generate.files import DeliveryWriter

log = logging.getLogger(__name__)

DATASET = "ecommerce"
TABLES = ("customers", "products", "orders", "order_items", "events")


def generate_ecommerce(
    out_dir: Path, start: date, days: int, orders_per_day: int, seed: int
) -> dict[str, dict[str, int]]:
    """Write `days` daily deliveries from `start` into `out_dir`; return rows written.

    The result maps each source folder to {ds: data rows} (headers not counted), e.g.
    {"orders": {"2026-11-01": 512, ...}, ...}. Existing folders of those dates are
    replaced, so generating again with the same arguments gives the same files.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if orders_per_day < 1:
        raise ValueError(f"orders_per_day must be at least 1, got {orders_per_day}")
    contracts = {table: load_contract(DATASET, table) for table in TABLES}
    delivery_days = [start + timedelta(days=offset) for offset in range(days)]

    def delivery_folder(table: str, day: date) -> Path:
        return Path(out_dir) / contracts[table].source_folder / day.isoformat()

    for table in TABLES:
        for day in delivery_days:
            if delivery_folder(table, day).exists():
                shutil.rmtree(delivery_folder(table, day))

    shop = Shop.open(seed, start, orders_per_day)
    rows: dict[str, dict[str, int]] = {contracts[table].source_folder: {} for table in TABLES}
    for day_index, day in enumerate(delivery_days):
        with ExitStack() as stack:
            writers = {
                table: stack.enter_context(DeliveryWriter(delivery_folder(table, day), contract))
                for table, contract in contracts.items()
            }
            write_day(shop, day_index, day, writers)
        for table, writer in writers.items():
            rows[contracts[table].source_folder][day.isoformat()] = writer.rows
        log.info("%s %s rows: %s", DATASET, day, {t: w.rows for t, w in writers.items()})
    return rows
