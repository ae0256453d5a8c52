"""The scaffolder on files it has never seen: how it reads them and the contract it drafts.

Every file is written by the test itself, in the shape users bring: exports from
spreadsheets and databases with different delimiters, encodings and quirks.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from medallion.contracts import parse_contract
from medallion.scaffold.draft import contract_yaml, draft_contract
from medallion.scaffold.sniff import RefusedFile, sample_file


def draft(path: Path):
    """The draft of `path` and the contract it loads as."""
    drafted = draft_contract("bring", "things", sample_file(path))
    return drafted, parse_contract(yaml.safe_load(contract_yaml(drafted)))


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


ORDERS = [
    ("A-1", "2026-11-01 08:00:00", "paid", "12.50", "3", "true"),
    ("A-2", "2026-11-01 09:30:00", "open", "7.00", "1", "false"),
    ("A-3", "2026-11-02 10:00:00", "paid", "100.25", "12", "true"),
    ("A-4", "2026-11-02 11:15:00", "open", "0.99", "2", "false"),
    ("A-5", "2026-11-03 12:00:00", "paid", "45.00", "5", "true"),
]


@pytest.mark.parametrize(("delimiter", "suffix"), [(",", ".csv"), (";", ".csv"), ("\t", ".tsv")])
def test_delimiters_and_inferred_types(tmp_path, delimiter, suffix):
    header = ["Order ID", "Ordered At", "Status", "Amount", "Quantity", "Gift"]
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in ORDERS]
    path = write(tmp_path, f"orders{suffix}", "\n".join(lines) + "\n")

    drafted, contract = draft(path)

    assert contract.source_delimiter == delimiter
    assert contract.source_encoding == "utf-8"
    types = {column.name: column.type for column in contract.columns}
    assert types == {
        "order_id": "string",
        "ordered_at": "timestamp",
        "status": "string",
        "amount": "decimal(7,2)",  # 3 digits seen + 2 of headroom
        "quantity": "integer",
        "gift": "boolean",
    }
    assert contract.column("order_id").source_name == "Order ID"
    assert contract.primary_key == ("order_id",)
    assert contract.column("status").accepted_values == ("open", "paid")
    assert contract.column("amount").min == 0
    assert contract.column("amount").max >= Decimal("100.25")
    assert contract.event_time_column == "ordered_at"
    assert not drafted.version_found
    assert any(item.startswith("TODO version column") for item in drafted.checklist)


def test_quoted_fields_with_line_breaks_are_one_record(tmp_path):
    path = write(
        tmp_path,
        "tickets.csv",
        "ticket,opened_on,text,updated_at\n"
        'T1,2026-11-01,"printer broken\nsecond floor",2026-11-01 09:00:00\n'
        'T2,2026-11-02,"says ""urgent""",2026-11-02 10:00:00\n'
        "T3,2026-11-02,plain,2026-11-02 11:00:00\n",
    )

    drafted, contract = draft(path)

    assert len(drafted.sample.records) == 3
    assert drafted.sample.records[0]["text"] == "printer broken\nsecond floor"
    assert contract.primary_key == ("ticket",)
    assert contract.version_column == "updated_at"
    assert contract.column("opened_on").type == "date"


@pytest.mark.parametrize(
    ("encoding", "expected"), [("utf-8-sig", "utf-8-sig"), ("latin-1", "latin-1")]
)
def test_byte_order_mark_and_latin1(tmp_path, encoding, expected):
    text = "Kunde;Straße;Größe\nMüller;Königsweg 1;12\nBöhm;Hauptstraße 2;7\n"
    path = write(tmp_path, "kunden.csv", text, encoding)

    drafted, contract = draft(path)

    assert contract.source_encoding == expected
    assert contract.column_names == ["kunde", "strasse", "grosse"]
    assert contract.column("strasse").source_name == "Straße"
    assert drafted.sample.records[0]["Kunde"] == "Müller"


def test_windows_1252_is_told_from_latin1(tmp_path):
    path = write(tmp_path, "prices.csv", "item,price_note\nA,„5 €“\nB,10 €\n", "cp1252")

    assert sample_file(path).encoding == "cp1252"


def test_json_lines_with_nested_objects(tmp_path):
    events = [
        {"id": 1, "at": "2026-11-01T08:00:00Z", "device": {"model": "x1"}, "ok": True},
        {"id": 2, "at": "2026-11-01T09:00:00Z", "device": {"model": "x2"}, "ok": False},
        {"id": 3, "at": "2026-11-01T10:00:00Z", "device": None, "ok": True, "note": "late"},
    ]
    path = write(tmp_path, "events.jsonl", "".join(json.dumps(e) + "\n" for e in events))

    drafted, contract = draft(path)

    assert contract.source_format == "jsonl"
    types = {column.name: column.type for column in contract.columns}
    assert types == {
        "id": "integer",
        "at": "timestamp",
        "device": "string",
        "ok": "boolean",
        "note": "string",
    }
    assert contract.column("device").nullable
    assert contract.column("note").nullable
    assert contract.primary_key == ("id",)
    assert any("JSON objects" in item for item in drafted.checklist)


def test_smallest_combination_of_columns_becomes_the_key(tmp_path):
    rows = ["store,day,sales", "north,2026-11-01,10", "north,2026-11-02,10", "south,2026-11-01,7"]
    path = write(tmp_path, "sales.csv", "\n".join(rows) + "\n")

    drafted, contract = draft(path)

    assert drafted.key_found
    assert contract.primary_key == ("store", "day")


def test_no_key_in_the_sample_is_a_marked_todo(tmp_path):
    rows = ["colour,size", "red,S", "red,S", "blue,M", "blue,M"]
    path = write(tmp_path, "shirts.csv", "\n".join(rows) + "\n")

    drafted, contract = draft(path)

    assert not drafted.key_found
    assert contract.primary_key == ("colour", "size")
    assert "# TODO: no key found" in contract_yaml(drafted)
    assert drafted.checklist[0].startswith("TODO primary key")


def test_leading_zeros_and_comma_decimals_stay_strings(tmp_path):
    rows = ["zip;price", "01067;1,50", "80331;2,75", "10115;3,00"]
    path = write(tmp_path, "zips.csv", "\n".join(rows) + "\n")

    _, contract = draft(path)

    assert contract.column("zip").type == "string"
    assert contract.column("price").type == "string"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\n\n  \n", "is empty"),
        (b"order_id,amount\n", "a header line but no records"),
        (b"order_id;amount\r\n\r\n", "a header line but no records"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00binary", "binary data"),
        (b"\xff\xfea\x00,\x00b\x00", "UTF-16"),
        (b"1,2026-11-01,3.5\n2,2026-11-02,4.5\n", "looks like data"),
        (b"a,,c\n1,2,3\n", "empty column name"),
        (b"a,b;c\n1,2;3\n", "cannot tell the delimiter"),
        (b"just one column\nvalue\n", "cannot tell the delimiter"),
    ],
)
def test_files_it_refuses_say_what_to_do(tmp_path, content, message):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)

    with pytest.raises(RefusedFile, match=message):
        sample_file(path)


def test_files_over_the_size_limit_are_refused(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:  # a sparse file: 101 MB that take no disk space
        handle.truncate(101 * 1024 * 1024)

    with pytest.raises(RefusedFile, match="the limit is 100 MB"):
        sample_file(path)
    small = write(tmp_path, "small.csv", "a,b\n1,2\n")
    with pytest.raises(RefusedFile, match="limit is 0 MB"):
        sample_file(small, max_bytes=4)
