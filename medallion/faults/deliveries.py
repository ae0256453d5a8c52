"""Faults in the landing zone: what a careless or unlucky source does to its deliveries.

Every function changes the e-commerce delivery of one date `ds` in place and returns one
line per change, for the student to read. They only add files or rewrite rows of the
files the generator wrote (`<table>-part-00000.csv`), so each fault is easy to see with
`ls` and `head`.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from medallion.lake import landing_dir
from medallion.settings import load_settings

DATASET = "ecommerce"
SUFFIXES = {"events": ".jsonl"}


def delivery_file(table: str, ds: str) -> Path:
    """The generator's first file of a table's delivery on `ds`."""
    folder = landing_dir(DATASET, table, ds)
    path = folder / f"{table}-part-00000{SUFFIXES.get(table, '.csv')}"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist: generate the deliveries first (make demo), or pick a "
            f"date that has them with DS=YYYY-MM-DD."
        )
    return path


def previous_date(ds: str) -> str:
    return str(date.fromisoformat(ds) - timedelta(days=1))


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


# --- corrupt-file -------------------------------------------------------------------


def add_unparseable_rows(ds: str) -> list[str]:
    """Three order lines the CSV parser cannot split into the contract's columns."""
    path = delivery_file("orders", ds)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("O-BROKEN-1,C00000001\n")
        handle.write("O-BROKEN-2;C00000001;2026-11-01 10:00:00;paid;card;12.50\n")
        handle.write("O-BROKEN-3,C00000001,2026-11-01 10:00:00,paid,card,1.00,x,y,z\n")
    return [f"{path.name}: 3 rows appended that do not split into 7 columns"]


def add_truncated_file(ds: str) -> list[str]:
    """A second order-items file cut off in the middle of a line, as an aborted upload."""
    source = delivery_file("order_items", ds)
    content = source.read_bytes()
    cut = int(len(content) * 0.6)
    while content[cut - 1 : cut] == b"\n":  # cut inside a line, not at its end
        cut -= 1
    target = source.with_name("order_items-part-00001.csv")
    target.write_bytes(content[:cut])
    return [f"{target.name}: the first {cut:,} of {len(content):,} bytes, cut mid-line"]


def add_binary_file(ds: str) -> list[str]:
    """A products 'CSV' that is really binary (someone uploaded a zip by mistake)."""
    folder = delivery_file("products", ds).parent
    target = folder / "products-part-00001.csv"
    noise = random.Random(ds).randbytes(4096)
    target.write_bytes(b"PK\x03\x04\x00\x00" + noise)
    return [f"{target.name}: 4 KiB of binary data with NUL bytes (a zip header)"]


def add_latin1_file(ds: str) -> list[str]:
    """New customers exported in Latin-1 although the contract promises UTF-8."""
    header, _ = read_rows(delivery_file("customers", ds))
    target = delivery_file("customers", ds).with_name("customers-part-00001.csv")
    rows = [
        ["C09000001", "Zoë Müller", "zoe@example.org", "consumer", "EU-West", ds, f"{ds} 08:00:00"],
        [
            "C09000002",
            "José Peña",
            "jose@example.org",
            "consumer",
            "EU-South",
            ds,
            f"{ds} 08:05:00",
        ],
    ]
    with target.open("w", newline="", encoding="latin-1") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return [f"{target.name}: 2 customers encoded in Latin-1 (ë, ü, é, ñ are not UTF-8)"]


def add_empty_file(ds: str) -> list[str]:
    """A zero-byte events file: the export job crashed before writing anything."""
    target = delivery_file("events", ds).with_name("events-part-00001.jsonl")
    target.write_bytes(b"")
    return [f"{target.name}: 0 bytes"]


# --- duplicate-delivery -------------------------------------------------------------


def redeliver_same_file(ds: str) -> list[str]:
    """The order file of the day delivered a second time under another name."""
    source = delivery_file("orders", ds)
    target = source.with_name("orders-part-00000-redelivered.csv")
    target.write_bytes(source.read_bytes())
    return [f"{target.name}: a byte-for-byte copy of {source.name}"]


def overlap_previous_day(ds: str) -> list[str]:
    """A fifth of yesterday's order rows delivered again today, unchanged."""
    header, rows = read_rows(delivery_file("orders", previous_date(ds)))
    overlap = rows[: max(1, len(rows) // 5)]
    target = delivery_file("orders", ds).with_name("orders-overlap.csv")
    write_rows(target, header, overlap)
    return [f"{target.name}: {len(overlap)} order rows already delivered on {previous_date(ds)}"]


# --- failed-gate ----------------------------------------------------------------


def break_an_order_amount(ds: str) -> list[str]:
    """One order placed on `ds` gets an amount that no longer matches its lines.

    The source's original file is kept under data/faults/, so that re-delivering the
    corrected file is one `cp`, as a source would send it again.
    """
    path = delivery_file("orders", ds)
    header, rows = read_rows(path)
    placed = [row for row in rows if row[header.index("order_ts")].startswith(ds)]
    if not placed:
        raise ValueError(f"{path.name} has no order placed on {ds} to break")
    original = load_settings().data_dir / "faults" / "failed-gate" / ds / path.name
    original.parent.mkdir(parents=True, exist_ok=True)
    original.write_bytes(path.read_bytes())
    order = placed[0]
    amount = header.index("amount")
    was = order[amount]
    order[amount] = "0.00"
    write_rows(path, header, rows)
    return [
        f"{path.name}: order {order[0]} now says amount 0.00 (it was {was}, the sum of its lines)",
        f"the source's correct file is kept: cp {original} {path}",
    ]


# --- late-data ----------------------------------------------------------------------


def deliver_late(ds: str, share: float = 0.1) -> list[str]:
    """Hold back a share of yesterday's new orders (and their lines) until today."""
    yesterday = previous_date(ds)
    orders_path = delivery_file("orders", yesterday)
    header, rows = read_rows(orders_path)
    placed_yesterday = [row for row in rows if row[header.index("order_ts")].startswith(yesterday)]
    late_ids = {row[0] for row in placed_yesterday[: max(1, int(len(placed_yesterday) * share))]}
    changes = []
    for table in ("orders", "order_items"):
        source = delivery_file(table, yesterday)
        header, rows = read_rows(source)
        stays = [row for row in rows if row[0] not in late_ids]
        late = [row for row in rows if row[0] in late_ids]
        write_rows(source, header, stays)
        write_rows(delivery_file(table, ds).with_name(f"{table}-late.csv"), header, late)
        changes.append(f"{table}: {len(late)} rows of {yesterday} moved to {ds}/{table}-late.csv")
    return changes


# --- schema-drift -------------------------------------------------------------------


def add_column(ds: str) -> list[str]:
    """Products gain a column the contract does not know."""
    path = delivery_file("products", ds)
    header, rows = read_rows(path)
    write_rows(path, [*header, "supplier"], [[*row, "ACME"] for row in rows])
    return [f"{path.name}: new last column 'supplier'"]


def drop_column(ds: str) -> list[str]:
    """Customers lose a contract column (the CRM export was changed)."""
    path = delivery_file("customers", ds)
    header, rows = read_rows(path)
    gone = header.index("email")
    write_rows(path, header[:gone] + header[gone + 1 :], [r[:gone] + r[gone + 1 :] for r in rows])
    return [f"{path.name}: column 'email' removed"]


def change_amount_format(ds: str) -> list[str]:
    """Order amounts switch to a decimal comma ("12,50"): text where a number was promised."""
    path = delivery_file("orders", ds)
    header, rows = read_rows(path)
    amount = header.index("amount")
    for row in rows:
        if len(row) == len(header):  # leave rows another fault already broke as they are
            row[amount] = row[amount].replace(".", ",")
    write_rows(path, header, rows)
    return [f"{path.name}: amount written with a decimal comma, e.g. 12,50"]


Injection = Callable[[str], list[str]]
