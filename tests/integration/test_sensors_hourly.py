"""The whole sensors_hourly DAG on generated data, run through Airflow, hour by hour.

What must hold:
- hourly aggregates per device and site and the anomaly list equal an independent
  recomputation with plain DuckDB SQL from the landing files (reference_sensors.sql);
- a reading delivered an hour late sits in the partition of the hour it ARRIVED in, and
  counts in gold in the hour it was TAKEN; a re-sent reading counts once;
- silver + quarantine = bronze for every table and delivery hour;
- uptime: every device of the registry has a row, offline gaps lower it;
- `make trace` follows a re-sent reading to its landing lines, the transmission that
  counts and its hourly row, as recomputed from the landing files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml
from support import trace_reference

from medallion.contracts import list_tables
from medallion.trace import trace_record

pytestmark = pytest.mark.integration

DATASET = "sensors"
HOURS = ["2026-11-01T00", "2026-11-01T01"]
DEVICES = 20
REPO = Path(__file__).resolve().parents[2]
REFERENCE_SQL = (Path(__file__).parent / "reference_sensors.sql").read_text()


@pytest.fixture(scope="module")
def sensors_run(airflow_runner):
    """Two generated hourly deliveries run through sensors_hourly, one run per hour.

    The shared runner's data folder may hold other datasets too: every path is per
    dataset, so they never meet.
    """
    from medallion.generate.sensors import generate_sensors

    generate_sensors(
        out_dir=airflow_runner.data_dir / "landing" / DATASET,
        start=date.fromisoformat(HOURS[0][:10]),
        hours=len(HOURS),
        devices=DEVICES,
        seed=7,
    )
    for hour in HOURS:
        airflow_runner.run_dag("sensors_hourly", f"{hour}:00:00+00:00")
    return airflow_runner


@pytest.fixture(scope="module")
def reference(sensors_run):
    landing = sensors_run.data_dir / "landing" / DATASET
    project = yaml.safe_load((REPO / "dbt" / "dbt_project.yml").read_text())
    con = duckdb.connect()
    con.execute("set time zone 'UTC'")
    con.execute("set variable readings = ?", [str(landing / "readings" / "*" / "*.jsonl")])
    con.execute("set variable devices = ?", [str(landing / "devices" / "*" / "*.csv")])
    delta = project["vars"]["anomaly_temperature_delta_c"]
    con.execute("set variable anomaly_temperature_delta_c = ?", [delta])
    con.execute(REFERENCE_SQL)
    warehouse = sensors_run.data_dir / "warehouse" / f"{DATASET}.duckdb"
    con.execute("attach ? as gold (read_only)", [str(warehouse)])
    yield con
    con.close()


def test_hourly_readings_equal_independent_recomputation(reference):
    expected = reference.execute("from reference_hourly_readings order by all").fetchall()
    actual = reference.execute(
        "select reading_hour, site, device_id, reading_count, average_temperature_c "
        "from gold.main.sensors_hourly_readings order by all"
    ).fetchall()
    assert len(expected) >= DEVICES * len(HOURS) - 2, "nearly every device reports every hour"
    assert [row[:4] for row in actual] == [row[:4] for row in expected]
    assert [row[4] for row in actual] == pytest.approx([row[4] for row in expected])


def test_anomalies_equal_independent_recomputation(reference):
    expected = reference.execute("from reference_anomalies order by all").fetchall()
    actual = reference.execute(
        "select device_id, measured_at from gold.main.sensors_anomalies order by all"
    ).fetchall()
    assert actual == expected


def test_late_readings_arrive_in_one_partition_and_count_in_their_own_hour(sensors_run, reference):
    late = reference.execute(
        "select device_id, measured_at from reference_readings "
        "where delivered_in = ? and reading_hour < ?::timestamp",
        [HOURS[1], HOURS[1].replace("T", " ") + ":00:00"],
    ).fetchall()
    assert late, "the second delivery holds readings taken in the first hour"
    silver = sensors_run.data_dir / "lake" / "silver" / DATASET / "readings"
    for device_id, measured_at in late:
        partitions = reference.execute(
            "select ingest_date from read_parquet(?, hive_partitioning = true, "
            "hive_types_autocast = false) where device_id = ? and measured_at = ?",
            [str(silver / "*" / "*.parquet"), device_id, measured_at],
        ).fetchall()
        assert (HOURS[1],) in partitions
    first_hour = reference.execute(
        "select sum(reading_count) from gold.main.sensors_hourly_readings "
        "where reading_hour = ?::timestamp",
        [HOURS[0].replace("T", " ") + ":00:00"],
    ).fetchone()[0]
    taken_in_first_hour = reference.execute(
        "select count(*) from reference_readings where reading_hour = ?::timestamp",
        [HOURS[0].replace("T", " ") + ":00:00"],
    ).fetchone()[0]
    assert first_hour == taken_in_first_hour


def test_every_bronze_row_is_in_silver_or_quarantine(sensors_run):
    lake = sensors_run.data_dir / "lake"

    def rows(layer: str, table: str, hour: str) -> int:
        folder = lake / layer / DATASET / table / f"ingest_date={hour}"
        if not any(folder.glob("*.parquet")):
            return 0
        query = "select count(*) from read_parquet(?)"
        return duckdb.execute(query, [str(folder / "*.parquet")]).fetchone()[0]

    for table in list_tables(DATASET):
        for hour in HOURS:
            bronze = rows("bronze", table, hour)
            assert bronze > 0, f"{table} {hour}: bronze is empty"
            assert rows("silver", table, hour) + rows("quarantine", table, hour) == bronze


def test_every_device_has_an_uptime_and_gaps_lower_it(reference):
    uptime = reference.execute(
        "select device_id, received_readings, expected_readings, uptime_share "
        "from gold.main.sensors_device_uptime order by device_id"
    ).fetchall()
    assert len(uptime) == DEVICES
    assert all(expected == 12 * len(HOURS) for _, _, expected, _ in uptime)
    received = dict(
        reference.execute(
            "select device_id, count(*) from reference_readings group by device_id"
        ).fetchall()
    )
    assert {device: count for device, count, _, _ in uptime if count} == received
    assert all(0 <= share <= 1 for *_, share in uptime)


def test_trace_follows_a_reading_sent_twice_to_its_hourly_row(sensors_run, reference, monkeypatch):
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(sensors_run.data_dir))
    landing = sensors_run.data_dir / "landing" / DATASET
    device_id, measured_at = trace_reference.reading_sent_twice(landing)

    trace = trace_record(DATASET, f"{device_id},{measured_at}")

    lines = trace_reference.landing_lines(
        landing,
        "readings",
        lambda record: (
            (record["device_id"].strip(), record["measured_at"].strip()) == (device_id, measured_at)
        ),
    )
    assert len(lines) > 1
    assert trace_reference.located(trace) == lines
    [(delivered_in, reading_hour, site, count)] = reference.execute(
        "select delivered_in, reading_hour, site, reading_count "
        "from reference_readings join reference_hourly_readings "
        "using (reading_hour, site, device_id) where device_id = ? and measured_at = ?::timestamp",
        [device_id, measured_at],
    ).fetchall()
    assert trace.winner.ingest_date == delivered_in
    [row] = trace.gold["sensors_hourly_readings"]
    assert (row["reading_hour"], row["site"], row["reading_count"]) == (reading_hour, site, count)
