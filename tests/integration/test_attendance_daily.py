"""The whole attendance_daily DAG on generated data, run through Airflow.

What must hold:
- the weekly attendance report (record and marked counts, absences and attendance rate
  per week, campus and class) and the chronic absentee list equal an independent
  recomputation with plain DuckDB SQL from the landing files (reference_attendance.sql);
- silver + quarantine = bronze for every table and delivery date (counted from parquet);
- a correction delivered on a later day replaces the earlier mark;
- the generated invalid rows end in quarantine with their reasons;
- running a date again leaves gold exactly as it was;
- `make trace` follows a corrected mark to its landing lines, the mark that counts and
  its row of the weekly report, as recomputed from the landing files.

Its runs use the classic local mode of `spark_default` (a JVM inside each task) rather
than the warm engine the other DAG runs use: both choices of the connection stay tested.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml
from support import trace_reference

from medallion.contracts import list_tables
from medallion.engine import CLASSIC_LOCAL_CONNECTION
from medallion.trace import trace_record

pytestmark = pytest.mark.integration

DATASET = "attendance"
DATES = ["2026-11-01", "2026-11-02"]  # a Sunday and a Monday: two reporting weeks
REPO = Path(__file__).resolve().parents[2]
MARKS = {"present", "late", "absent", "excused"}
REFERENCE_SQL = (Path(__file__).parent / "reference_attendance.sql").read_text()


@pytest.fixture(scope="module")
def attendance_run(airflow_runner):
    """Two generated days run through attendance_daily, one DAG run per date.

    The shared runner's data folder may hold e-commerce data too: every path is per
    dataset, so the two never meet.
    """
    from medallion.generate.attendance import generate_attendance

    generate_attendance(
        out_dir=airflow_runner.data_dir / "landing" / DATASET,
        start=date.fromisoformat(DATES[0]),
        days=len(DATES),
        students=300,
        seed=7,
    )
    warm_engine = airflow_runner.env["AIRFLOW_CONN_SPARK_DEFAULT"]
    airflow_runner.env["AIRFLOW_CONN_SPARK_DEFAULT"] = json.dumps(CLASSIC_LOCAL_CONNECTION)
    try:
        for ds in DATES:
            airflow_runner.run_dag("attendance_daily", ds)
    finally:
        airflow_runner.env["AIRFLOW_CONN_SPARK_DEFAULT"] = warm_engine
    return airflow_runner


@pytest.fixture(scope="module")
def reference(attendance_run):
    """A DuckDB connection holding the reference tables and the gold warehouse."""
    landing = attendance_run.data_dir / "landing" / DATASET
    project = yaml.safe_load((REPO / "dbt" / "dbt_project.yml").read_text())
    con = duckdb.connect()
    con.execute("set variable records = ?", [str(landing / "records" / "*" / "*.csv")])
    con.execute("set variable classes = ?", [str(landing / "classes" / "*" / "*.csv")])
    threshold = project["vars"]["chronic_absence_threshold"]
    con.execute("set variable chronic_absence_threshold = ?", [threshold])
    con.execute(REFERENCE_SQL)
    warehouse = attendance_run.data_dir / "warehouse" / f"{DATASET}.duckdb"
    con.execute("attach ? as gold (read_only)", [str(warehouse)])
    yield con
    con.close()


def test_weekly_report_equals_independent_recomputation(reference):
    expected = reference.execute("from reference_weekly_report order by all").fetchall()
    actual = reference.execute(
        "select week_start, campus, class_id, record_count, marked_count, absence_count, "
        "attendance_rate from gold.main.attendance_weekly_report order by all"
    ).fetchall()
    weeks = {row[0] for row in expected}
    assert len(weeks) == 2 and len(expected) >= 2 * 5, "two weeks, every campus"
    assert [row[:6] for row in actual] == [row[:6] for row in expected]
    assert [row[6] for row in actual] == pytest.approx([row[6] for row in expected])


def test_chronic_absentees_equal_independent_recomputation(reference):
    expected = reference.execute("select student_id from reference_chronic_absentees").fetchall()
    actual = reference.execute(
        "select student_id from gold.main.attendance_chronic_absentees"
    ).fetchall()
    assert len(expected) > 0, "the generated school has students who are often away"
    assert sorted(actual) == sorted(expected)


def test_every_bronze_row_is_in_silver_or_quarantine(attendance_run):
    lake = attendance_run.data_dir / "lake"

    def rows(layer: str, table: str, ds: str) -> int:
        folder = lake / layer / DATASET / table / f"ingest_date={ds}"
        if not any(folder.glob("*.parquet")):
            return 0
        query = "select count(*) from read_parquet(?)"
        return duckdb.execute(query, [str(folder / "*.parquet")]).fetchone()[0]

    for table in list_tables(DATASET):
        for ds in DATES:
            bronze = rows("bronze", table, ds)
            assert bronze > 0, f"{table} {ds}: bronze is empty"
            assert rows("silver", table, ds) + rows("quarantine", table, ds) == bronze, (table, ds)


def late_corrections(landing: Path) -> list[dict[str, str]]:
    """Marks for the first day delivered with the second day, each with its original."""

    def read(ds: str) -> list[dict[str, str]]:
        [path] = (landing / "records" / ds).glob("*.csv")
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    originals = {}  # the latest valid mark of each student on the first day
    for row in sorted(read(DATES[0]), key=lambda row: row["recorded_at"]):
        if row["attendance_date"] == DATES[0] and row["status"].strip().lower() in MARKS:
            originals[row["student_id"]] = row
    pairs = []
    for row in read(DATES[1]):
        original = originals.get(row["student_id"])
        if row["attendance_date"] == DATES[0] and original:
            pairs.append({**row, "original_status": original["status"].strip().lower()})
    return pairs


def test_a_correction_delivered_later_replaces_the_earlier_mark(attendance_run, reference):
    corrections = late_corrections(attendance_run.data_dir / "landing" / DATASET)
    changed = [c for c in corrections if c["status"].strip().lower() != c["original_status"]]
    assert changed, "the second delivery corrects marks of the first day"
    silver = attendance_run.data_dir / "lake" / "silver" / DATASET / "records"
    for correction in changed:
        key = [correction["student_id"], DATES[0]]
        versions = reference.execute(
            "select ingest_date::varchar, status from read_parquet(?, hive_partitioning = true) "
            "where student_id = ? and attendance_date = ?::date order by recorded_at",
            [str(silver / "*" / "*.parquet"), *key],
        ).fetchall()
        # Silver keeps both marks (one per delivery); gold counts the later one.
        assert versions[0] == (DATES[0], correction["original_status"])
        assert versions[-1] == (DATES[1], correction["status"].strip().lower())
        counted = reference.execute(
            "select status, ingest_date::varchar from gold.main.stg_attendance__records "
            "where student_id = ? and attendance_date = ?::date",
            key,
        ).fetchall()
        assert counted == [(correction["status"].strip().lower(), DATES[1])]


def test_quarantine_holds_the_generated_invalid_rows(attendance_run):
    folder = attendance_run.data_dir / "lake" / "quarantine" / DATASET / "records"
    reasons = {
        reason
        for (reason,) in duckdb.execute(
            "select distinct _reject_reason from read_parquet(?)", [str(folder / "*" / "*.parquet")]
        ).fetchall()
    }
    assert {
        "not_in_accepted_values:status",
        "missing_value:student_id",
        "invalid_type:attendance_date",
        "duplicate_row",
        "superseded_in_delivery",
    } <= reasons


def gold_snapshot(data_dir: Path) -> dict[str, list[tuple]]:
    """Every attendance mart's rows, sorted, read from the warehouse."""
    marts = ["attendance_weekly_report", "attendance_chronic_absentees"]
    with duckdb.connect(str(data_dir / "warehouse" / f"{DATASET}.duckdb"), read_only=True) as con:
        return {mart: sorted(con.table(mart).fetchall(), key=repr) for mart in marts}


def test_rerunning_a_date_leaves_gold_unchanged(attendance_run, reference):
    reference.execute("detach gold")  # the re-run's dbt build needs the warehouse to itself
    before = gold_snapshot(attendance_run.data_dir)
    attendance_run.run_dag("attendance_daily", DATES[0])
    assert gold_snapshot(attendance_run.data_dir) == before


def test_trace_follows_a_corrected_mark_to_the_weekly_report(
    attendance_run, reference, monkeypatch
):
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(attendance_run.data_dir))
    landing = attendance_run.data_dir / "landing" / DATASET
    expected = trace_reference.mark_corrected_later(landing)
    student_id, day = expected["student_id"], expected["attendance_date"]

    trace = trace_record(DATASET, f"{student_id},{day}")

    lines = trace_reference.landing_lines(
        landing,
        "records",
        lambda record: (
            (record["student_id"].strip(), record["attendance_date"].strip()) == (student_id, day)
        ),
    )
    assert trace_reference.located(trace) == lines
    assert trace.winner.ingest_date == expected["delivered_on"]
    assert trace.winner.values["status"].strip().lower() == expected["status"]
    [cell] = reference.execute(
        "select week_start, campus, class_id, record_count from reference_weekly_report "
        "where (week_start, campus, class_id) in (select (cast(date_trunc('week', "
        "attendance_date) as date), campus, class_id) from reference_marks "
        "where student_id = ? and attendance_date = ?::date)",
        [student_id, day],
    ).fetchall()
    [row] = trace.gold["attendance_weekly_report"]
    assert (row["week_start"], row["campus"], row["class_id"], row["record_count"]) == cell
