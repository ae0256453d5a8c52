"""The landing reader honours the contract's source block, and counts records as Spark does.

Each test writes a small file, reads it with `read_delivery` and checks the rows Spark
loaded against the file's content and against `count_source_records` (the number the
bronze gate compares with bronze).
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from medallion.contracts import ContractError, parse_contract
from medallion.source_records import count_source_records, scan_source_file
from spark.landing import read_delivery


def contract_for(columns, **source) -> object:
    """A contract with string columns `columns` ({name: source_name or None})."""
    return parse_contract(
        {
            "dataset": "readertest",
            "table": "things",
            "source": {"folder": "things", "format": "csv", **source},
            "primary_key": [next(iter(columns))],
            "version_column": next(iter(columns)),
            "columns": [
                {"name": name, "type": "string", "nullable": False, "source_name": source_name}
                for name, source_name in columns.items()
            ],
        }
    )


def rows_of(spark, contract, path) -> list[dict]:
    frame, columns = read_delivery(spark, contract, [path])
    return [row.asDict() for row in frame.select(*columns, "_corrupt_record").collect()]


def test_quoted_line_breaks_stay_in_one_record(spark, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text(
        'id,note\n1,"first line\nsecond line"\n2,"say ""hi"", then go"\n\n3,plain\n',
        encoding="utf-8",
    )
    contract = contract_for({"id": None, "note": None})

    rows = rows_of(spark, contract, path)

    assert [row["id"] for row in rows] == ["1", "2", "3"]
    assert rows[0]["note"] == "first line\nsecond line"
    assert rows[1]["note"] == 'say "hi", then go'
    assert all(row["_corrupt_record"] is None for row in rows)
    assert count_source_records(path, "csv") == 3


def test_the_scan_sees_which_files_need_a_multi_line_read(spark, tmp_path):
    spanning, flat = tmp_path / "spanning.csv", tmp_path / "flat.csv"
    spanning.write_text('id,note\n1,"two\nlines"\n2,one\n', encoding="utf-8")
    # Quotes, a quoted delimiter and a blank line, but no record spans lines.
    flat.write_text('id,note\n1,"a, b"\n\n2,"say ""hi"""\n3,c\n', encoding="utf-8")
    contract = contract_for({"id": None, "note": None})

    assert scan_source_file(spanning, "csv") == (2, True)
    assert scan_source_file(flat, "csv") == (3, False)
    # Read line by line, the flat file gives the same rows as a multi-line read.
    frame, columns = read_delivery(spark, contract, [flat], multi_line=False)
    line_by_line = [row.asDict() for row in frame.select(*columns, "_corrupt_record").collect()]
    assert line_by_line == rows_of(spark, contract, flat)
    assert [row["note"] for row in line_by_line] == ["a, b", 'say "hi"', "c"]


def test_latin1_semicolon_file_with_renamed_columns(spark, tmp_path):
    path = tmp_path / "kunden.csv"
    path.write_bytes('Kunden Nr;Straße\n7;Königsallee 1\n8;"Weg; Nord"\n'.encode("latin-1"))
    contract = contract_for(
        {"kunden_nr": "Kunden Nr", "strasse": "Straße"}, encoding="latin-1", delimiter=";"
    )

    rows = rows_of(spark, contract, path)

    assert rows == [
        {"kunden_nr": "7", "strasse": "Königsallee 1", "_corrupt_record": None},
        {"kunden_nr": "8", "strasse": "Weg; Nord", "_corrupt_record": None},
    ]
    assert count_source_records(path, "csv", "latin-1", ";") == 2


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8"])
def test_byte_order_mark_does_not_stick_to_the_first_column(spark, tmp_path, encoding):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffcode\tlabel\nA\tÄpfel\nB\tBirnen\n".encode("utf-8"))
    contract = contract_for({"code": None, "label": None}, encoding=encoding, delimiter="\t")

    rows = rows_of(spark, contract, path)

    assert [(row["code"], row["label"]) for row in rows] == [("A", "Äpfel"), ("B", "Birnen")]
    assert count_source_records(path, "csv", encoding, "\t") == 2


def test_json_lines_keep_nested_objects_as_json_text(spark, tmp_path):
    path = tmp_path / "events.jsonl"
    lines = [
        {"id": "e1", "device": {"model": "x1", "os": "linux"}, "tags": ["a", "b"]},
        {"id": "e2", "device": None, "tags": []},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    contract = parse_contract(
        {
            "dataset": "readertest",
            "table": "events",
            "source": {"folder": "events", "format": "jsonl"},
            "primary_key": ["event_id"],
            "version_column": "event_id",
            "columns": [
                {"name": "event_id", "source_name": "id", "type": "string", "nullable": False},
                {"name": "device", "type": "string"},
                {"name": "tags", "type": "string"},
            ],
        }
    )

    rows = rows_of(spark, contract, path)

    assert [row["event_id"] for row in rows] == ["e1", "e2"]
    assert json.loads(rows[0]["device"]) == {"model": "x1", "os": "linux"}
    assert json.loads(rows[0]["tags"]) == ["a", "b"]
    assert rows[1]["device"] is None
    assert count_source_records(path, "jsonl") == 2


def test_contract_source_block_defaults_and_refusals():
    default = contract_for({"id": None})
    assert (default.source_encoding, default.source_delimiter) == ("utf-8", ",")
    assert default.source_spark_encoding == "UTF-8"
    assert contract_for({"id": None}, encoding="latin-1").source_spark_encoding == "ISO-8859-1"
    with pytest.raises(ContractError, match="source.encoding 'utf-16'"):
        contract_for({"id": None}, encoding="utf-16")
    with pytest.raises(ContractError, match="source.delimiter"):
        contract_for({"id": None}, delimiter=":")


def test_ecommerce_deliveries_load_row_for_row(spark, data_dir):
    """The shop's generated files (quoted commas, JSON events) load as before."""
    from medallion.contracts import list_tables
    from medallion.generate.ecommerce import generate_ecommerce
    from spark.jobs import ingest_to_bronze

    generate_ecommerce(
        out_dir=data_dir / "landing" / "ecommerce",
        start=date(2026, 11, 1),
        days=1,
        orders_per_day=60,
        seed=7,
    )
    for table in list_tables("ecommerce"):
        result = ingest_to_bronze.run(spark, "ecommerce", table, "2026-11-01")
        assert result["rows"] == result["source_rows"] > 0, table


@pytest.mark.parametrize("multi_line", [False, True])
def test_a_field_the_contract_allows_loads_whole(spark, tmp_path, multi_line):
    path = tmp_path / "long.csv"
    long_text = "x" * 500_000
    path.write_text(f"id,note\n1,{long_text}\n2,short\n", encoding="utf-8")
    contract = contract_for({"id": None, "note": None}, max_field_chars=1_000_000)

    assert scan_source_file(path, "csv", max_field_chars=1_000_000).records == 2
    frame, columns = read_delivery(spark, contract, [path], multi_line)
    rows = {row["id"]: row["note"] for row in frame.select(*columns).collect()}

    assert rows == {"1": long_text, "2": "short"}


def test_a_gzip_delivery_reads_like_the_plain_file(spark, tmp_path):
    import gzip

    text = 'id,note\n1,"two\nlines"\n2,plain\n'
    plain, packed = tmp_path / "a.csv", tmp_path / "b.csv.gz"
    plain.write_text(text, encoding="utf-8")
    packed.write_bytes(gzip.compress(text.encode()))
    contract = contract_for({"id": None, "note": None})

    assert rows_of(spark, contract, packed) == rows_of(spark, contract, plain)
    assert count_source_records(packed, "csv") == count_source_records(plain, "csv") == 2
