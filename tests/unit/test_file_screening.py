"""Screening delivered files: each kind of unreadable file is named, good files pass."""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import replace

import pytest

from medallion.contracts import load_contract
from medallion.errors import CorruptFileError
from medallion.file_screening import screen_delivery, screen_file
from medallion.source_records import SourceScan, name_gzip_as_gzip

HEADER = "order_id,customer_id,amount\n"


def write(path, content: bytes):
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "source_format"),
    [
        (HEADER.encode() + b"O-1,C-1,10.00\nO-2,C-2,12.50\n", "csv"),
        (HEADER.encode() + b"O-1,C-1,10.00", "csv"),  # complete, only the final newline is missing
        (HEADER.encode() + b'O-1,"C-1\nsecond line",10.00\n', "csv"),  # a quoted newline
        ('{"id": 1, "name": "Zoë"}\n{"id": 2}'.encode(), "jsonl"),
    ],
)
def test_readable_files_pass(tmp_path, content, source_format):
    assert screen_file(write(tmp_path / "good", content), source_format) is None


def test_zero_bytes_and_blank_files_are_empty(tmp_path):
    assert screen_file(write(tmp_path / "a.csv", b""), "csv").reason == "empty_file"
    assert screen_file(write(tmp_path / "b.csv", b"\n \n\n"), "csv").reason == "empty_file"


def test_nul_bytes_are_binary_content_with_their_offset(tmp_path):
    finding = screen_file(write(tmp_path / "a.csv", HEADER.encode() + b"PK\x03\x04\x00"), "csv")
    assert finding.reason == "binary_content"
    assert f"byte {len(HEADER) + 4}" in finding.detail


def test_latin1_in_a_utf8_contract_names_byte_and_line(tmp_path):
    content = HEADER.encode() + "O-1,Zoë,1.00\n".encode("latin-1")
    finding = screen_file(write(tmp_path / "a.csv", content), "csv")
    assert finding.reason == "wrong_encoding"
    assert "0xeb" in finding.detail and "line 2" in finding.detail
    # The same bytes are fine when the contract says the source delivers latin-1.
    assert screen_file(tmp_path / "a.csv", "csv", encoding="latin-1") is None


def test_a_record_cut_short_is_a_truncated_file_whatever_the_delimiter(tmp_path):
    semicolons = write(tmp_path / "b.csv", b"id;name;amount\n1;Ann;2.00\n2;Bo")
    assert screen_file(semicolons, "csv", delimiter=";").reason == "truncated_file"
    csv_file = write(tmp_path / "a.csv", HEADER.encode() + b"O-1,C-1,10.00\nO-2,C-")
    assert screen_file(csv_file, "csv").reason == "truncated_file"
    jsonl_file = write(tmp_path / "a.jsonl", b'{"id": 1}\n{"id": 2, "na')
    assert screen_file(jsonl_file, "jsonl").reason == "truncated_file"


def test_unreadable_files_move_to_quarantine_with_a_reason(data_dir):
    landing = data_dir / "landing" / "ecommerce" / "orders" / "2026-11-02"
    landing.mkdir(parents=True)
    good = write(landing / "orders-part-00000.csv", HEADER.encode() + b"O-1,C-1,10.00\n")
    bad = write(landing / "orders-part-00001.csv", b"")

    with pytest.raises(CorruptFileError) as failure:
        screen_delivery(load_contract("ecommerce", "orders"), [good, bad], "2026-11-02")

    assert "orders-part-00001.csv: empty_file" in str(failure.value)
    quarantine = data_dir / "lake" / "quarantine" / "ecommerce" / "_files" / "orders" / "2026-11-02"
    assert (quarantine / "orders-part-00001.csv").read_bytes() == b""
    reason = json.loads((quarantine / "orders-part-00001.csv.reason.json").read_text())
    assert reason["reason"] == "empty_file" and reason["landing_path"] == str(bad)
    assert not bad.exists() and good.exists()


# --- parsing as the contract says (medallion.source_records) -------------------------

ORDERS_HEADER = "order_id,customer_id,order_ts,status,payment_method,amount,updated_at\n"
ORDER = "O-{n},C-1,2026-11-02 10:00:00,paid,{payment},12.50,2026-11-02 10:00:00\n"
DS = "2026-11-02"


def orders_delivery(data_dir, name: str, content: bytes):
    landing = data_dir / "landing" / "ecommerce" / "orders" / DS
    landing.mkdir(parents=True, exist_ok=True)
    return write(landing / name, content)


def file_quarantine(data_dir):
    return data_dir / "lake" / "quarantine" / "ecommerce" / "_files" / "orders" / DS


def orders_text(payments: list[str]) -> str:
    rows = [ORDER.format(n=n, payment=payment) for n, payment in enumerate(payments, start=1)]
    return ORDERS_HEADER + "".join(rows)


def test_a_field_over_the_limit_quarantines_the_file_naming_line_and_column(data_dir):
    good = orders_delivery(data_dir, "a.csv", orders_text(["card"]).encode())
    huge = orders_delivery(data_dir, "b.csv", orders_text(["card", "card", "x" * 131_073]).encode())
    contract = load_contract("ecommerce", "orders")

    with pytest.raises(CorruptFileError) as failure:
        screen_delivery(contract, [good, huge], DS)

    message = str(failure.value)
    assert "b.csv: field_too_large" in message
    assert "line 4, column 'payment_method' (field 5) holds 131,073 characters" in message
    reason = json.loads((file_quarantine(data_dir) / "b.csv.reason.json").read_text())
    assert reason["reason"] == "field_too_large" and "line 4" in reason["detail"]
    assert not huge.exists() and good.exists()


def test_a_contract_that_allows_longer_fields_loads_them(data_dir):
    content = orders_text(["card", "x" * 500_000, "card"]).encode()
    path = orders_delivery(data_dir, "a.csv", content)
    contract = replace(load_contract("ecommerce", "orders"), source_max_field_chars=1_000_000)

    assert screen_delivery(contract, [path], DS) == [SourceScan(3, spans_lines=False)]
    assert csv.field_size_limit() == 131_072  # the process-wide limit is restored


def test_gzip_under_a_csv_name_is_named_as_gzip(tmp_path):
    path = write(tmp_path / "a.csv", gzip.compress(orders_text(["card"]).encode()))
    finding = screen_file(path, "csv")
    assert finding.reason == "gzip_content"
    assert "gzip-compressed; name it a.csv.gz" in finding.detail


def test_gzip_deliveries_named_so_are_read_as_they_are(data_dir):
    text = orders_text(["card", "paypal"]) + 'O-9,C-1,2026-11-02 10:00:00,paid,"a\nb",1.00,x\n'
    path = orders_delivery(data_dir, "a.csv.gz", gzip.compress(text.encode()))
    contract = load_contract("ecommerce", "orders")
    assert screen_delivery(contract, [path], DS) == [SourceScan(3, spans_lines=True)]


def test_a_cut_gzip_stream_is_quarantined(data_dir):
    whole = gzip.compress(orders_text(["card"] * 200).encode())
    path = orders_delivery(data_dir, "a.csv.gz", whole[: len(whole) // 2])
    with pytest.raises(CorruptFileError, match="a.csv.gz: corrupt_gzip"):
        screen_delivery(load_contract("ecommerce", "orders"), [path], DS)
    assert (file_quarantine(data_dir) / "a.csv.gz").exists()


@pytest.mark.parametrize(
    ("delimiter", "found"), [(";", "a semicolon (;)"), ("\t", "a tab"), ("|", "a pipe (|)")]
)
def test_a_wrong_delimiter_names_the_one_found_and_the_one_expected(data_dir, delimiter, found):
    path = orders_delivery(
        data_dir, "a.csv", orders_text(["card"]).replace(",", delimiter).encode()
    )
    with pytest.raises(CorruptFileError) as failure:
        screen_delivery(load_contract("ecommerce", "orders"), [path], DS)
    assert (
        f"a.csv: wrong_delimiter (line 1, the header, is separated by {found} but the "
        f"contract expects a comma (,) (source.delimiter))" in str(failure.value)
    )


def test_a_missing_column_is_not_mistaken_for_a_wrong_delimiter(data_dir):
    text = orders_text(["card"]).replace(",amount", "").replace(",12.50", "")
    path = orders_delivery(data_dir, "a.csv", text.encode())
    # Parsed fine: the column check of the reader names the missing column later.
    assert screen_delivery(load_contract("ecommerce", "orders"), [path], DS) == [
        SourceScan(1, spans_lines=False)
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"allow_empty": "yes"}, "allow_empty must be true or false"),
        ({"source": {"format": "csv", "max_field_chars": 0}}, "max_field_chars must be"),
        ({"source": {"format": "csv", "max_field_chars": "1M"}}, "max_field_chars must be"),
    ],
)
def test_contract_checks_the_new_fields(raw, message):
    import yaml

    from medallion.contracts import ContractError, contract_path, parse_contract

    contract = yaml.safe_load(contract_path("ecommerce", "orders").read_text())
    with pytest.raises(ContractError, match=message):
        parse_contract(contract | raw)


def test_contract_defaults_are_documented_values():
    contract = load_contract("ecommerce", "orders")
    assert (contract.allow_empty, contract.source_max_field_chars) == (False, 131_072)


def test_gzip_under_a_plain_name_is_renamed_to_read_it_as_gzip(data_dir):
    content = gzip.compress(orders_text(["card", "paypal"]).encode())
    path = orders_delivery(data_dir, "a.csv", content)

    renamed = name_gzip_as_gzip(path)

    assert renamed.name == "a.csv.gz" and renamed.read_bytes() == content and not path.exists()
    scans = screen_delivery(load_contract("ecommerce", "orders"), [renamed], DS)
    assert scans == [SourceScan(2, spans_lines=False)]
    plain = orders_delivery(data_dir, "b.csv", orders_text(["card"]).encode())
    assert name_gzip_as_gzip(plain) == plain


@pytest.mark.parametrize("allow_empty", [False, True])
def test_an_empty_json_lines_file_is_an_empty_delivery_only_if_allowed(data_dir, allow_empty):
    contract = replace(load_contract("ecommerce", "events"), allow_empty=allow_empty)
    landing = data_dir / "landing" / "ecommerce" / "events" / DS
    landing.mkdir(parents=True)
    path = write(landing / "events.jsonl", b"")
    if allow_empty:
        assert screen_delivery(contract, [path], DS) == [SourceScan(0, spans_lines=False)]
        return
    with pytest.raises(CorruptFileError, match="events.jsonl: empty_file"):
        screen_delivery(contract, [path], DS)
    # A CSV file without even a header stays unreadable, whatever the contract allows.
    orders = replace(load_contract("ecommerce", "orders"), allow_empty=True)
    with pytest.raises(CorruptFileError, match="a.csv: empty_file"):
        screen_delivery(orders, [orders_delivery(data_dir, "a.csv", b"")], DS)


@pytest.mark.parametrize(
    "raw",
    [
        {"dataset": "../ecommerce"},
        {"table": "orders\n"},
        {"source": {"format": "csv", "folder": "../../etc"}},
    ],
)
def test_contract_names_that_become_paths_match_in_full(raw):
    import yaml

    from medallion.contracts import ContractError, contract_path, parse_contract

    contract = yaml.safe_load(contract_path("ecommerce", "orders").read_text())
    with pytest.raises(ContractError, match="lower-case letters, digits and _"):
        parse_contract(contract | raw)
