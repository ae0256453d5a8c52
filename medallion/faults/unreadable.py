"""Faults in the landing zone: deliveries no parser was tuned for.

Like medallion.faults.deliveries, each function changes the e-commerce delivery of one
date `ds` in place and returns one line per change. The files are the generator's own
(`<table>-part-00000.csv`), so `ls`, `head` and `zcat` show what happened.
"""

from __future__ import annotations

import csv
import gzip

from medallion.faults.deliveries import delivery_file, read_rows, write_rows

# Longer than Python csv's default field limit of 131,072 characters.
HUGE_FIELD_CHARS = 200_000


def add_huge_field(ds: str) -> list[str]:
    """A second orders file whose one order has a 200,000-character payment method."""
    source = delivery_file("orders", ds)
    header, rows = read_rows(source)
    row = list(rows[0])
    row[header.index("order_id")] = "O-HUGE-1"
    row[header.index("payment_method")] = "x" * HUGE_FIELD_CHARS
    target = source.with_name("orders-part-00001.csv")
    write_rows(target, header, [row])
    return [f"{target.name}: 1 order whose payment_method holds {HUGE_FIELD_CHARS:,} characters"]


def gzip_under_csv_name(ds: str) -> list[str]:
    """The products file gzip-compressed, but still named .csv."""
    path = delivery_file("products", ds)
    path.write_bytes(gzip.compress(path.read_bytes(), mtime=0))
    return [f"{path.name}: gzip-compressed, still named .csv"]


def deliver_gzip_named(ds: str) -> list[str]:
    """The order-items file delivered compressed as `.csv.gz` (readable as it is)."""
    path = delivery_file("order_items", ds)
    target = path.with_name(f"{path.name}.gz")
    target.write_bytes(gzip.compress(path.read_bytes(), mtime=0))
    path.unlink()
    return [f"{target.name}: replaces {path.name}, gzip-compressed"]


def use_semicolons(ds: str) -> list[str]:
    """The customers file exported with ';' although the contract says ','."""
    path = delivery_file("customers", ds)
    header, rows = read_rows(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return [f"{path.name}: separated by ';', the contract expects ','"]


def repeat_header(ds: str) -> list[str]:
    """Order lines with the header line again in the middle (two exports joined)."""
    path = delivery_file("order_items", ds)
    header, rows = read_rows(path)
    middle = len(rows) // 2
    write_rows(path, header, [*rows[:middle], header, *rows[middle:]])
    return [f"{path.name}: the header line repeated after row {middle:,}"]


def header_only(ds: str) -> list[str]:
    """The day's customers file holds its header and no rows (nobody new signed up?)."""
    path = delivery_file("customers", ds)
    header, rows = read_rows(path)
    write_rows(path, header, [])
    return [f"{path.name}: the header only ({len(rows):,} rows removed)"]
