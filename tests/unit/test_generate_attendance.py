"""The attendance generator: deterministic, shaped like the contracts, quirky on purpose.

Every check reads the written files back with the csv module and recomputes what it
asserts, so a generator bug shows up as a failing comparison with the files.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from medallion.contracts import load_contract
from medallion.generate.attendance import TABLES, generate_attendance

START = date(2026, 11, 1)
DATES = ["2026-11-01", "2026-11-02", "2026-11-03"]
STUDENTS = 500
MARKS = {"present", "late", "absent", "excused"}
CONTRACTS = {table: load_contract("attendance", table) for table in TABLES}


def generate(out_dir: Path, seed: int = 7, students: int = STUDENTS) -> dict:
    return generate_attendance(out_dir, START, len(DATES), students, seed)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> tuple[Path, dict]:
    out_dir = tmp_path_factory.mktemp("landing")
    return out_dir, generate(out_dir)


def read_rows(out_dir: Path, table: str, ds: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of one delivery, as text."""
    [path] = sorted((out_dir / CONTRACTS[table].source_folder / ds).glob("*.csv"))
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def all_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.csv"))}


def test_same_arguments_same_bytes_and_another_seed_differs(landing, tmp_path):
    out_dir, _ = landing
    generate(tmp_path / "again")
    generate(tmp_path / "other", seed=8)
    assert all_bytes(tmp_path / "again") == all_bytes(out_dir)
    assert all_bytes(tmp_path / "other") != all_bytes(out_dir)


def test_files_follow_the_contracts_and_counts_match(landing):
    out_dir, counts = landing
    for table, contract in CONTRACTS.items():
        for ds in DATES:
            header, rows = read_rows(out_dir, table, ds)
            assert header == contract.column_names, (table, ds)
            assert counts[contract.source_folder][ds] == len(rows) > 0, (table, ds)
    _, day_one_students = read_rows(out_dir, "students", DATES[0])
    _, day_one_classes = read_rows(out_dir, "classes", DATES[0])
    assert len(day_one_students) == STUDENTS
    assert len(day_one_classes) == STUDENTS // 25
    campuses = {row["campus"].strip().lower() for row in day_one_classes}
    assert campuses == {"harbour", "hillside", "meadow", "riverside", "station"}


def test_every_student_gets_a_mark_of_the_day(landing):
    out_dir, _ = landing
    for ds in DATES:
        _, rows = read_rows(out_dir, "records", ds)
        today = {row["student_id"] for row in rows if row["attendance_date"] == ds} - {""}
        # A mark whose student_id was emptied or whose date was written 01/11/2026 (the
        # invalid rows) are the only possible gaps.
        broken = sum(1 for row in rows if row["student_id"] == "" or "/" in row["attendance_date"])
        assert STUDENTS - broken <= len(today) <= STUDENTS, ds
        assert today <= {f"S{number:06d}" for number in range(1, STUDENTS + 1)}


def test_status_quirks_are_present(landing):
    out_dir, _ = landing
    for ds in DATES:
        _, rows = read_rows(out_dir, "records", ds)
        statuses = [row["status"] for row in rows]
        messy = [s for s in statuses if s and s not in MARKS and s.strip().lower() in MARKS]
        assert any(s != s.strip() for s in messy), f"{ds}: no padded status"
        assert any(s.isupper() for s in messy), f"{ds}: no upper-case status"
        assert "" in statuses, f"{ds}: no unmarked student"
        assert "tardy" in statuses, f"{ds}: no status outside the contract"


def test_invalid_keys_and_dates_are_present(landing):
    out_dir, _ = landing
    for ds in DATES:
        _, rows = read_rows(out_dir, "records", ds)
        assert any(row["student_id"] == "" for row in rows), ds
        day, month, year = ds[8:], ds[5:7], ds[:4]
        assert any(row["attendance_date"] == f"{day}/{month}/{year}" for row in rows), ds


def test_exact_copies_and_same_day_corrections_are_present(landing):
    out_dir, _ = landing
    for ds in DATES:
        _, rows = read_rows(out_dir, "records", ds)
        lines = Counter(tuple(row.values()) for row in rows)
        assert any(count > 1 for count in lines.values()), f"{ds}: no exact copy"
        # Distinct lines per (student_id, attendance_date), the first two columns.
        marks_per_key = Counter((line[0], line[1]) for line in lines)
        corrected = [key for key, count in marks_per_key.items() if count > 1 and key[1] == ds]
        assert corrected, f"{ds}: no same-day correction"


def test_late_corrections_change_an_earlier_mark(landing):
    """A later delivery holds marks for the day before, recorded later, with a new status."""
    out_dir, _ = landing
    for previous, ds in zip(DATES, DATES[1:], strict=False):
        _, earlier = read_rows(out_dir, "records", previous)
        _, later = read_rows(out_dir, "records", ds)
        corrections = [row for row in later if row["attendance_date"] == previous]
        assert len(corrections) >= STUDENTS * 0.02, ds
        final = {}
        for row in sorted(earlier, key=lambda row: row["recorded_at"]):
            final[(row["student_id"], row["attendance_date"])] = row
        changed = 0
        for correction in corrections:
            original = final.get((correction["student_id"], previous))
            if original is None:
                continue  # the original mark was one of the invalid rows
            assert correction["recorded_at"] > original["recorded_at"]
            changed += original["status"].strip().lower() != correction["status"].strip().lower()
        assert changed >= len(corrections) * 0.9, ds


def test_later_deliveries_hold_changed_students_and_classes(landing):
    out_dir, _ = landing
    for ds in DATES[1:]:
        _, students = read_rows(out_dir, "students", ds)
        _, classes = read_rows(out_dir, "classes", ds)
        assert 1 <= len(students) <= STUDENTS * 0.02
        assert len(classes) >= 1
        assert all(row["updated_at"].startswith(ds) for row in students + classes)


def test_bad_arguments_fail_loudly(tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        generate_attendance(tmp_path, START, 0, STUDENTS, 7)
