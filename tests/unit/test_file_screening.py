"""Screening delivered files: each kind of unreadable file is named, good files pass."""

from __future__ import annotations

import json

import pytest

from medallion.contracts import load_contract
from medallion.errors import CorruptFileError
from medallion.file_screening import screen_delivery, screen_file

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
