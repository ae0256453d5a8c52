"""The draft reads the whole file: sampled across it, key checked on every record, null
tokens recognised, and a measure worth adding up for the starter mart.

Each file is built by the test so that a draft from the first records alone would be
wrong (a file sorted by month; a key that repeats only far apart), and the expected
answer is computed from the rows the test wrote, not from the draft.
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from medallion.contracts import parse_contract
from medallion.scaffold.draft import contract_yaml, draft_contract
from medallion.scaffold.sniff import sample_file

SAMPLE = 500  # records the tests let the sampler keep, so that files can exceed it


def write_rows(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def draft(path: Path, sample_records: int = SAMPLE):
    drafted = draft_contract("flights", "flights", sample_file(path, sample_records=sample_records))
    return drafted, parse_contract(yaml.safe_load(contract_yaml(drafted)))


def test_a_file_sorted_by_month_is_sampled_from_its_first_to_its_last_record(tmp_path):
    # 3,000 flights sorted by month: the first 500 records hold January and February only.
    rows = [[number, 1 + number * 12 // 3000, f"{number % 97}.50"] for number in range(3000)]
    path = write_rows(tmp_path / "flights.csv", ["flight_id", "month", "fare"], rows)

    drafted, contract = draft(path)

    assert drafted.sample.total_records == 3000
    assert len(drafted.sample.records) == SAMPLE
    months = {int(record["month"]) for record in drafted.sample.records}
    assert months == set(range(1, 13))  # the sample spans the file
    assert contract.column("month").max >= 12
    assert contract.primary_key == ("flight_id",)
    assert "unique in all 3,000 records of the file" in drafted.checklist[0]


def test_a_key_unique_in_the_sample_only_is_checked_on_every_record(tmp_path):
    # ref_id looks like the key, but the first and the last flight share one: with a
    # sample of 500 in 3,000 the pair is almost never sampled together.
    rows = [[f"R{number}", number, "JFK"] for number in range(3000)]
    rows[-1][0] = rows[0][0]
    path = write_rows(tmp_path / "flights.csv", ["ref_id", "line", "origin"], rows)

    drafted, contract = draft(path)

    sampled_refs = [record["ref_id"] for record in drafted.sample.records]
    assert len(set(sampled_refs)) == len(sampled_refs)  # ref_id is unique in the sample
    assert contract.primary_key == ("line",)
    assert "['ref_id']: sample only" in drafted.key_reason


def test_identifier_names_are_preferred_and_the_reason_is_given(tmp_path):
    rows = [[f"2026-11-{day:02d}", f"B-{day}", day * 3] for day in range(1, 29)]
    path = write_rows(tmp_path / "bookings.csv", ["booked_on", "booking_nr", "seats"], rows)

    drafted, contract = draft(path)

    assert contract.primary_key == ("booking_nr",)  # booked_on is unique too, but a date
    assert (
        drafted.key_reason
        == "filled and unique in all 28 records of the file, named like an identifier"
    )


def test_null_tokens_are_null_and_listed_in_the_contract(tmp_path):
    # R writes NA, databases NULL, spreadsheets "-": none of them makes a number text.
    rows = [
        ["1", "12.50", "NA", "2026-11-01"],
        ["2", "NA", "3", "NULL"],
        ["3", "7.25", "-", "2026-11-03"],
        ["4", "3.00", "5", "2026-11-04"],
    ]
    path = write_rows(tmp_path / "delays.csv", ["flight_id", "delay", "gate", "day"], rows)

    drafted, contract = draft(path)

    assert contract.null_values == ("NA", "NULL", "-")
    assert (contract.column("delay").type, contract.column("delay").nullable) == (
        "decimal(6,2)",
        True,
    )
    assert (contract.column("gate").type, contract.column("gate").nullable) == ("integer", True)
    assert (contract.column("day").type, contract.column("day").nullable) == ("date", True)
    assert contract.primary_key == ("flight_id",)
    assert "delay: read as null: 'NA' (1x) in the sample; or are they values?" in drafted.checklist
    assert (
        "gate: read as null: 'NA' (1x), '-' (1x) in the sample; or are they values?"
        in drafted.checklist
    )


def test_a_column_holding_null_tokens_is_never_part_of_the_key(tmp_path):
    # tailnum is unique where filled, but NA stands for "no plane assigned".
    rows = [["N1", "AA", "1"], ["NA", "AA", "2"], ["N3", "UA", "1"], ["NA", "UA", "2"]]
    path = write_rows(tmp_path / "planes.csv", ["tailnum", "carrier", "flight"], rows)

    _, contract = draft(path)

    assert contract.primary_key == ("carrier", "flight")


def test_the_measure_is_a_decimal_that_is_no_key_id_or_year(tmp_path):
    rows = [[f"R{n}", f"{n}.0", f"{2020 + n}.5", f"{n}.25", f"{n * 2}.10"] for n in range(1, 9)]
    header = ["receipt", "store_id", "fiscal_year", "sale_nr", "amount"]
    path = write_rows(tmp_path / "sales.csv", header, rows)

    drafted, contract = draft(path)

    assert contract.primary_key == ("receipt",)
    assert contract.measure == "amount"
    assert any(item.startswith("measure 'amount'") for item in drafted.checklist)


def test_a_single_column_failing_on_the_whole_file_gives_way_to_a_pair(tmp_path):
    # visit_id repeats once, far apart (the first and the last visit of store S49).
    header = ["visit_id", "store", "visit_day"]
    rows = [[f"V{n}", f"S{n % 50}", n // 50] for n in range(3000)]
    rows[-1][0] = rows[49][0]
    path = write_rows(tmp_path / "visits.csv", header, rows)

    drafted, contract = draft(path)

    assert len(contract.primary_key) == 2
    positions = [header.index(name) for name in contract.primary_key]
    keys = {tuple(row[position] for position in positions) for row in rows}
    assert len(keys) == len(rows)  # unique over every row the test wrote
    assert "(['visit_id'], " in drafted.key_reason  # tried first, unique in the sample only
