"""What `make trace` must answer, recomputed from the landing files alone.

Shares no code with medallion.trace: landing lines are found by reading each file line
by line (the generated files hold one record per line), winners and gold cells by plain
DuckDB SQL over the landing CSV and JSON-lines files, re-stating the contracts' rules.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import duckdb


def landing_lines(
    landing: Path, folder: str, matches: Callable[[dict], bool]
) -> list[tuple[str, str, int]]:
    """(delivery, file as `<folder>/<delivery>/<name>`, line) of every landing record
    for which `matches(record)` holds; records are dicts of the delivered text."""
    found = []
    for path in sorted(landing.glob(f"{folder}/*/*")):
        delivery = path.parent.name
        with path.open(encoding="utf-8") as handle:
            if path.suffix == ".jsonl":
                records = ((number, json.loads(text)) for number, text in enumerate(handle, 1))
            else:
                header = next(csv.reader([handle.readline()]))
                records = (
                    (number, dict(zip(header, next(csv.reader([text])), strict=False)))
                    for number, text in enumerate(handle, 2)
                )
            found += [
                (delivery, f"{folder}/{delivery}/{path.name}", number)
                for number, record in records
                if matches(record)
            ]
    return found


def located(trace) -> list[tuple[str, str, int]]:
    """The (delivery, file, line) of every delivery a trace found, sorted."""
    return sorted((d.ingest_date, d.source_file, d.line) for d in trace.deliveries)


def order_delivered_twice(landing: Path) -> dict:
    """The first order (by id) whose valid versions arrived on two delivery dates and whose
    current version earns revenue: its current version and the daily-sales cells of its
    lines, as (order_date, category, region, segment)."""
    con = duckdb.connect()
    con.execute("set variable orders = ?", [str(landing / "orders" / "*" / "*.csv")])
    con.execute(ORDERS_SQL)
    order = con.execute(
        "select order_id, delivered_on, status, amount from orders_current "
        "where order_id in (select order_id from orders_valid group by order_id "
        "having count(distinct delivered_on) > 1) "
        "and status not in ('cancelled', 'returned') order by order_id limit 1"
    ).fetchone()
    assert order, "the generated orders should include one delivered again on a later day"
    globs = {
        table: str(landing / table / "*" / "*.csv")
        for table in ("order_items", "products", "customers")
    }
    globs["orders_glob"] = str(landing / "orders" / "*" / "*.csv")
    cells = con.execute(ORDER_CELLS_SQL, {**globs, "order_id": order[0]}).fetchall()
    return {
        "order_id": order[0],
        "delivered_on": order[1],
        "status": order[2],
        "amount": order[3],
        "cells": sorted(cells),
    }


def negative_amount_order(landing: Path) -> str:
    """An order id whose only delivery has a negative amount (the contract's min is 0)."""
    rows = duckdb.execute(
        "select trim(order_id) from read_csv(?, header = true, all_varchar = true) "
        "group by 1 having count(*) = 1 and min(try_cast(trim(amount) as decimal(12, 2))) < 0 "
        "order by 1 limit 1",
        [str(landing / "orders" / "*" / "*.csv")],
    ).fetchall()
    assert rows, "the generated orders should include one with a negative amount"
    return rows[0][0]


ORDERS_SQL = """
create or replace temp table orders_valid as
select
    trim(order_id) as order_id,
    lower(trim(status)) as status,
    try_cast(trim(amount) as decimal(12, 2)) as amount,
    try_cast(trim(updated_at) as timestamp) as updated_at,
    regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})', 1) as delivered_on
from read_csv(getvariable('orders'), header = true, all_varchar = true, filename = true)
where nullif(trim(order_id), '') is not null and nullif(trim(customer_id), '') is not null
    and try_cast(trim(order_ts) as timestamp) is not null
    and lower(trim(status)) in ('placed', 'paid', 'shipped', 'delivered', 'cancelled', 'returned')
    and (nullif(trim(payment_method), '') is null
        or lower(trim(payment_method)) in ('card', 'paypal', 'bank_transfer', 'gift_card'))
    and try_cast(trim(amount) as decimal(12, 2)) >= 0
    and try_cast(trim(updated_at) as timestamp) is not null;
create or replace temp table orders_current as
select * from orders_valid
qualify row_number() over (partition by order_id order by updated_at desc, delivered_on desc) = 1
"""

ORDER_CELLS_SQL = """
with
order_row as (
    select order_id, cast(try_cast(trim(order_ts) as timestamp) as date) as order_date,
        trim(customer_id) as customer_id
    from read_csv($orders_glob, header = true, all_varchar = true)
    where trim(order_id) = $order_id and try_cast(trim(amount) as decimal(12, 2)) >= 0
    limit 1
),
items as (
    select distinct trim(product_id) as product_id
    from read_csv($order_items, header = true, all_varchar = true)
    where trim(order_id) = $order_id
        and try_cast(trim(quantity) as integer) between 1 and 1000
        and try_cast(trim(unit_price) as decimal(10, 2)) >= 0
),
products as (
    select trim(product_id) as product_id, lower(trim(category)) as category
    from read_csv($products, header = true, all_varchar = true)
    qualify row_number() over (
        partition by trim(product_id) order by try_cast(trim(updated_at) as timestamp) desc
    ) = 1
),
customers as (
    select trim(customer_id) as customer_id, lower(trim(region)) as region,
        lower(trim(segment)) as segment
    from read_csv($customers, header = true, all_varchar = true)
    qualify row_number() over (
        partition by trim(customer_id) order by try_cast(trim(updated_at) as timestamp) desc
    ) = 1
)
select distinct order_row.order_date, coalesce(products.category, 'unknown'),
    coalesce(customers.region, 'unknown'), coalesce(customers.segment, 'unknown')
from order_row
cross join items
left join products on items.product_id = products.product_id
left join customers on order_row.customer_id = customers.customer_id
"""


def mark_corrected_later(landing: Path) -> dict:
    """The first student and day (by id) whose mark was corrected in a later delivery, with
    the delivery whose mark counts (latest recorded_at, then the later delivery)."""
    row = duckdb.execute(
        """
        with marks as (
            select trim(student_id) as student_id, trim(attendance_date) as attendance_date,
                lower(nullif(trim(status), '')) as status,
                try_cast(trim(recorded_at) as timestamp) as recorded_at,
                regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})', 1) as delivered_on
            from read_csv(?, header = true, all_varchar = true, filename = true)
            where regexp_full_match(trim(attendance_date), '\\d{4}-\\d{2}-\\d{2}')
                and nullif(trim(class_id), '') is not null
                and try_cast(trim(recorded_at) as timestamp) is not null
                and (nullif(trim(status), '') is null
                    or lower(trim(status)) in ('present', 'late', 'absent', 'excused'))
        ),
        corrected as (
            select student_id, attendance_date from marks
            group by all having count(distinct delivered_on) > 1
            order by all limit 1
        )
        select student_id, attendance_date, delivered_on, status
        from marks semi join corrected using (student_id, attendance_date)
        qualify row_number() over (order by recorded_at desc, delivered_on desc) = 1
        """,
        [str(landing / "records" / "*" / "*.csv")],
    ).fetchone()
    assert row, "the generated marks should include one corrected on a later day"
    return dict(zip(["student_id", "attendance_date", "delivered_on", "status"], row, strict=True))


def reading_sent_twice(landing: Path) -> tuple[str, str]:
    """(device_id, measured_at as delivered) of the first reading (by device and time)
    that reached the landing zone more than once."""
    row = duckdb.execute(
        "select trim(device_id), trim(measured_at) "
        "from read_json(?, format = 'newline_delimited', "
        "columns = {device_id: 'varchar', measured_at: 'varchar'}) "
        "where try_cast(trim(measured_at) as timestamp) is not null "
        "group by all having count(*) > 1 order by all limit 1",
        [str(landing / "readings" / "*" / "*.jsonl")],
    ).fetchone()
    assert row, "the generated readings should include one sent twice"
    return row
