"""The sensors generator: deterministic, hourly, shaped like the contracts, quirky on purpose.

Every check reads the written files back (csv and json modules) and recomputes what it
asserts, so a generator bug shows up as a failing comparison with the files.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from medallion.contracts import load_contract
from medallion.generate.sensors import TABLES, generate_sensors, hour_key

START = date(2026, 11, 1)
HOURS = ["2026-11-01T00", "2026-11-01T01", "2026-11-01T02", "2026-11-01T03"]
DEVICES = 50
CONTRACTS = {table: load_contract("sensors", table) for table in TABLES}


def generate(out_dir: Path, seed: int = 7) -> dict:
    return generate_sensors(out_dir, START, len(HOURS), DEVICES, seed)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> tuple[Path, dict]:
    out_dir = tmp_path_factory.mktemp("landing")
    return out_dir, generate(out_dir)


def readings(out_dir: Path, hour: str) -> list[dict]:
    [path] = (out_dir / "readings" / hour).glob("*.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def devices(out_dir: Path, hour: str) -> tuple[list[str], list[dict]]:
    [path] = (out_dir / "devices" / hour).glob("*.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def all_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.*"))}


def test_hour_key_is_the_partition_value():
    assert hour_key(1_793_509_200) == "2026-11-01T05"


def test_same_arguments_same_bytes_and_another_seed_differs(landing, tmp_path):
    out_dir, _ = landing
    generate(tmp_path / "again")
    generate(tmp_path / "other", seed=8)
    assert all_bytes(tmp_path / "again") == all_bytes(out_dir)
    assert all_bytes(tmp_path / "other") != all_bytes(out_dir)


def test_one_folder_per_hour_shaped_like_the_contracts(landing):
    out_dir, counts = landing
    assert sorted(counts["readings"]) == HOURS == sorted(counts["devices"])
    for hour in HOURS:
        header, registry = devices(out_dir, hour)
        assert header == CONTRACTS["devices"].column_names
        assert len(registry) == DEVICES == counts["devices"][hour]
        rows = readings(out_dir, hour)
        assert len(rows) == counts["readings"][hour]
        assert all(list(row) == CONTRACTS["readings"].column_names for row in rows)


def test_readings_arrive_out_of_order_late_re_sent_and_twice(landing):
    out_dir, _ = landing
    for previous, hour in zip(HOURS, HOURS[1:], strict=False):
        rows = readings(out_dir, hour)
        taken = [row["measured_at"] for row in rows]
        assert taken != sorted(taken), f"{hour}: lines are in order"
        earlier = [row for row in rows if row["measured_at"][:13].replace(" ", "T") == previous]
        assert earlier, f"{hour}: no late or re-sent reading of the hour before"
        sent_before = {(r["device_id"], r["measured_at"]) for r in readings(out_dir, previous)}
        late = [r for r in earlier if (r["device_id"], r["measured_at"]) not in sent_before]
        resent = [r for r in earlier if (r["device_id"], r["measured_at"]) in sent_before]
        assert late and resent, hour
        lines = Counter(json.dumps(row) for row in rows)
        assert any(count > 1 for count in lines.values()), f"{hour}: no duplicate line"


def test_offline_gaps_and_spikes(landing):
    out_dir, _ = landing
    per_device_hour = Counter()
    for hour in HOURS:
        for row in readings(out_dir, hour):
            per_device_hour[(row["device_id"], row["measured_at"][:13])] += 1
    assert min(per_device_hour.values()) < 12, "some device drops out for part of an hour"
    temperatures = [
        float(row["temperature_c"])
        for hour in HOURS
        for row in readings(out_dir, hour)
        if row["temperature_c"] not in ("ERR", "327.67")
    ]
    assert max(temperatures) > 30 and max(temperatures) < 85, "a spike within the range"


def test_invalid_readings_and_quirks_are_present(landing):
    out_dir, _ = landing
    values = Counter()
    for hour in HOURS:
        rows = readings(out_dir, hour)
        broken = [
            row
            for row in rows
            if row["device_id"] == ""
            or row["temperature_c"] in ("ERR", "327.67")
            or row["humidity_pct"] == "-5.0"
        ]
        assert len(broken) >= 2, hour
        values.update(row["temperature_c"] for row in broken)
        values.update(row["humidity_pct"] for row in broken)
        values.update(row["device_id"] or "<empty>" for row in broken)
        assert any(row["humidity_pct"] is None for row in rows), f"{hour}: no empty humidity"
        _, registry = devices(out_dir, hour)
        assert any(row["site"] != row["site"].strip().lower() for row in registry), hour
    assert {"ERR", "327.67", "-5.0", "<empty>"} <= set(values)


def test_bad_arguments_fail_loudly(tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        generate_sensors(tmp_path, START, 0, DEVICES, 7)
