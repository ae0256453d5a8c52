"""The e-commerce generator: deterministic, shaped like the contracts, quirky on purpose.

Every check reads the written files back with the csv and json modules and recomputes
what it asserts, so a generator bug shows up as a failing comparison with the files.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import pytest

from medallion.contracts import load_contract
from medallion.generate.ecommerce import TABLES, generate_ecommerce
from medallion.generate.files import DeliveryWriter

START = date(2026, 11, 1)
DAYS = 4  # a tiny run shows every kind of invalid row within four days
DATES = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]
TINY = 50
CONTRACTS = {table: load_contract("ecommerce", table) for table in TABLES}


def generate(out_dir: Path, seed: int = 7) -> dict[str, dict[str, int]]:
    return generate_ecommerce(out_dir, START, DAYS, TINY, seed)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out_dir = tmp_path_factory.mktemp("landing")
    generate(out_dir)
    return out_dir


def all_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def raw_lines(landing: Path, table: str, ds: str) -> list[str]:
    """Data lines of a delivery as written (CSV header dropped)."""
    contract = CONTRACTS[table]
    lines = []
    for path in sorted((landing / contract.source_folder / ds).iterdir()):
        text = path.read_text(encoding="utf-8").splitlines()
        lines += text[1:] if contract.source_format == "csv" else text
    return lines


def rows(landing: Path, table: str, ds: str) -> list[dict[str, str]]:
    """A delivery's rows as dicts of text; empty and null both read as ""."""
    contract = CONTRACTS[table]
    if contract.source_format == "jsonl":
        parsed = [json.loads(line) for line in raw_lines(landing, table, ds)]
        return [{key: value or "" for key, value in row.items()} for row in parsed]
    return list(csv.DictReader(raw_lines_with_header(landing, table, ds)))


def raw_lines_with_header(landing: Path, table: str, ds: str) -> list[str]:
    return [",".join(CONTRACTS[table].column_names), *raw_lines(landing, table, ds)]


def rejection(table: str, row: dict[str, str]) -> str | None:
    """The first contract rule a row breaks, checked here independently of the pipeline."""
    for column in CONTRACTS[table].columns:
        value = row[column.name].strip()
        if not value:
            if not column.nullable:
                return f"missing_value:{column.name}"
            continue
        if column.normalize == "lower":
            value = value.lower()
        try:
            typed = parse(column.type, value)
        except (ValueError, InvalidOperation):
            return f"invalid_type:{column.name}"
        if column.accepted_values and value not in column.accepted_values:
            return f"not_in_accepted_values:{column.name}"
        if (column.min is not None and typed < column.min) or (
            column.max is not None and typed > column.max
        ):
            return f"out_of_range:{column.name}"
    return None


def parse(column_type: str, value: str):
    if column_type.startswith("decimal"):
        if not value.replace("-", "", 1).replace(".", "", 1).isdigit():
            raise ValueError(value)
        return Decimal(value)
    if column_type == "integer":
        return int(value)
    if column_type == "timestamp":
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    if column_type == "date":
        return date.fromisoformat(value)
    return value


def valid_rows(landing: Path, table: str, ds: str) -> list[dict[str, str]]:
    return [row for row in rows(landing, table, ds) if rejection(table, row) is None]


def test_same_arguments_give_the_same_bytes_and_another_seed_differs(landing, tmp_path):
    generate(tmp_path / "again")
    generate(tmp_path / "other_seed", seed=8)
    first = all_bytes(landing)
    assert first == all_bytes(tmp_path / "again")
    other = all_bytes(tmp_path / "other_seed")
    assert other.keys() == first.keys()
    assert all(other[name] != first[name] for name in first if "orders" in name)


def test_one_file_per_source_and_day_with_the_contract_columns(landing):
    for contract in CONTRACTS.values():
        suffix = ".csv" if contract.source_format == "csv" else ".jsonl"
        for ds in DATES:
            files = sorted(path.name for path in (landing / contract.source_folder / ds).iterdir())
            assert files == [f"{contract.source_folder}-part-00000{suffix}"]
            if contract.source_format == "csv":
                header = (landing / contract.source_folder / ds / files[0]).open().readline()
                assert header.rstrip("\n").split(",") == contract.column_names
            else:
                keys = {tuple(json.loads(line)) for line in raw_lines(landing, contract.table, ds)}
                assert keys == {tuple(contract.column_names)}


def test_counts_returned_match_the_lines_written(landing, tmp_path):
    counts = generate(tmp_path)
    for table, contract in CONTRACTS.items():
        assert counts[contract.source_folder] == {
            ds: len(raw_lines(landing, table, ds)) for ds in DATES
        }


def test_every_valid_order_amount_equals_the_sum_of_its_lines(landing):
    line_totals: dict[str, Decimal] = defaultdict(Decimal)
    for ds in DATES:
        for line in {tuple(row.items()) for row in rows(landing, "order_items", ds)}:
            row = dict(line)  # exact duplicates are counted once (silver drops the copy)
            if rejection("order_items", row) is None:
                line_totals[row["order_id"]] += int(row["quantity"]) * Decimal(row["unit_price"])
    checked = 0
    for ds in DATES:
        for order in valid_rows(landing, "orders", ds):
            assert Decimal(order["amount"]) == line_totals[order["order_id"]], order
            checked += 1
    assert checked >= DAYS * TINY


def test_line_prices_are_the_list_price_in_force_at_order_time(landing):
    versions = defaultdict(list)  # product_id -> [(updated_at, list_price)]
    for ds in DATES:
        for product in valid_rows(landing, "products", ds):
            assert Decimal(product["unit_cost"]) < Decimal(product["list_price"])
            versions[product["product_id"]].append((product["updated_at"], product["list_price"]))
    order_ts = {
        o["order_id"]: o["order_ts"] for ds in DATES for o in valid_rows(landing, "orders", ds)
    }
    for ds in DATES:
        for line in valid_rows(landing, "order_items", ds):
            if line["order_id"] in order_ts:
                in_force = max(
                    v for v in versions[line["product_id"]] if v[0] <= order_ts[line["order_id"]]
                )
                assert line["unit_price"] == in_force[1], line


def test_valid_orders_reference_customers_delivered_on_or_before_their_day(landing):
    known: set[str] = set()
    for ds in DATES:
        known |= {customer["customer_id"] for customer in valid_rows(landing, "customers", ds)}
        for order in valid_rows(landing, "orders", ds):
            assert order["customer_id"] in known, order


def test_every_quirk_is_present_in_a_tiny_run(landing):
    reasons = Counter()
    for table in TABLES:
        for ds in DATES:
            reasons.update(f"{table}:{rejection(table, row)}" for row in rows(landing, table, ds))
            lines = raw_lines(landing, table, ds)
            reasons.update(f"{table}:duplicate" for _ in range(len(lines) - len(set(lines))))
    expected = {
        "orders:out_of_range:amount",  # negative amount
        "orders:not_in_accepted_values:status",  # on_hold
        "orders:missing_value:order_id",
        "orders:invalid_type:amount",  # 12,50
        "order_items:out_of_range:quantity",  # 0 and -1
        "order_items:missing_value:product_id",
        "events:missing_value:event_id",
        "events:not_in_accepted_values:event_type",
        "customers:not_in_accepted_values:region",
        "orders:duplicate",
        "order_items:duplicate",
        "events:duplicate",
    }
    assert expected <= set(reasons), expected - set(reasons)
    statuses = {row["status"] for ds in DATES for row in rows(landing, "orders", ds)}
    assert any(
        s != s.strip() and s.strip() not in (s.lower().strip(), s.upper().strip()) for s in statuses
    )
    assert any(status.isupper() for status in statuses)


def test_late_orders_and_later_versions_of_earlier_orders(landing):
    first_seen: dict[str, dict[str, str]] = {}
    late = redelivered = 0
    for ds in DATES:
        for order in valid_rows(landing, "orders", ds):
            if order["order_ts"][:10] < ds and order["order_id"] not in first_seen:
                late += 1
            earlier = first_seen.get(order["order_id"])
            if earlier and earlier["_ds"] < ds:
                assert order["updated_at"] > earlier["updated_at"]
                assert (order["order_ts"], order["amount"]) == (
                    earlier["order_ts"],
                    earlier["amount"],
                )
                redelivered += 1
            first_seen.setdefault(order["order_id"], {**order, "_ds": ds})
    assert late >= DAYS
    assert redelivered >= DAYS - 1


def test_order_lines_are_delivered_once_with_the_first_version_of_their_order(landing):
    delivered_on: dict[tuple[str, str], str] = {}
    first_order_delivery: dict[str, str] = {}
    for ds in DATES:
        for order in rows(landing, "orders", ds):
            first_order_delivery.setdefault(order["order_id"], ds)
        for line in rows(landing, "order_items", ds):
            key = (line["order_id"], line["line_number"])
            assert delivered_on.setdefault(key, ds) == ds, f"{key} delivered again on {ds}"
            assert first_order_delivery.get(line["order_id"], ds) == ds, line
    assert {line_number for _, line_number in delivered_on} == {"1", "2", "3", "4", "5"}


def test_events_happen_on_their_delivery_day_and_product_events_name_a_product(landing):
    product_events = {"product_view", "add_to_cart"}
    for ds in DATES:
        events = valid_rows(landing, "events", ds)
        assert len(events) > 4 * TINY
        for event in events:
            assert event["event_ts"].startswith(ds), event
            is_product_event = event["event_type"].strip().lower() in product_events
            assert bool(event["product_id"]) == is_product_event, event


def test_a_tiny_day_stays_under_the_quarantine_gate(landing):
    for table, contract in CONTRACTS.items():
        for ds in DATES:
            lines = raw_lines(landing, table, ds)
            rejected = sum(rejection(table, row) is not None for row in rows(landing, table, ds))
            rejected += len(lines) - len(set(lines))
            assert rejected / len(lines) <= contract.max_quarantine_share, (table, ds)


def test_generating_again_replaces_the_dates_it_writes(landing, tmp_path):
    stale = tmp_path / "orders" / DATES[0] / "orders-part-00009.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("left over from an earlier run\n")
    generate(tmp_path)
    assert not stale.exists()


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="days must be at least 1"):
        generate_ecommerce(tmp_path, START, 0, TINY, 7)
    with pytest.raises(ValueError, match="orders_per_day"):
        generate_ecommerce(tmp_path, START, 1, 0, 7)


def test_big_deliveries_continue_in_further_parts_each_with_a_header(tmp_path):
    contract = CONTRACTS["products"]
    values = pa.array([f"P{number:05d}" for number in range(5)])
    columns = {name: values for name in contract.column_names}
    with DeliveryWriter(tmp_path, contract, max_rows_per_part=2) as writer:
        for _ in range(3):
            writer.write({name: column.slice(0, 2) for name, column in columns.items()})
    parts = sorted(tmp_path.iterdir())
    assert [part.name for part in parts] == [f"products-part-0000{n}.csv" for n in range(3)]
    for part in parts:
        assert part.read_text().splitlines() == [",".join(contract.column_names)] + [
            ",".join(["P00000"] * 6),
            ",".join(["P00001"] * 6),
        ]
