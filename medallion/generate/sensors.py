"""Deterministic sample deliveries of a sensor network, one folder per HOUR.

    medallion generate sensors --start 2026-11-01 --hours 6 --size small

For every delivery hour from `start` 00:00 UTC on, writes (N devices, --size / 10,
at least 5):

    <out_dir>/devices/<hour>/devices-part-00000.csv       registry snapshot
    <out_dir>/readings/<hour>/readings-part-00000.jsonl   readings, JSON lines

`<hour>` is the delivery's partition value `YYYY-MM-DDTHH` (e.g. 2026-11-01T05): the
hourly DAG processes one delivery per run, and the lake keeps one `ingest_date=<hour>`
partition per delivery. Same arguments, same bytes: every number comes from the seed.

What the network delivers
-------------------------
devices      Every hour the whole registry: D0001 ... at five sites (dock, lab, office,
             plant, warehouse), installed before the first hour.
readings     Each device measures every five minutes (12 readings an hour): temperature
             (°C, a daily swing around the device's own level) and humidity (%).
             Sent within a minute, in batches.

Quirks on purpose (share of an hour's readings; "at least one" = in every delivery)
------------------------------------------------------------------------------------
readings     OUT OF ORDER: the lines of a file are shuffled
readings     LATE: taken in hour H, delivered with hour H+1 (measured_at in H): gold
             must count them in hour H                                       ~3%
readings     RE-SENT: delivered in hour H and again, identical but with a later
             sent_at, in hour H+1: gold must count them once                 ~1%
readings     OFFLINE gaps: ~5% of devices miss 3 to 12 readings in an hour
readings     SPIKES: +12 °C, within the sensor's range: gold's anomalies     ~0.5%
readings     duplicate transmission: the same line twice in a file          ~1%, >= 1
readings     humidity empty (the humidity sensor did not answer)             ~1%
devices      site in mixed case or padded                                   ~5%, >= 1

Invalid rows (the silver layer must quarantine them)
----------------------------------------------------
readings     ~0.3%, at least two an hour, kinds taking turns (starting from a kind
             that moves on every hour): temperature 327.67 (the sensor's fault code,
             out of range), an empty device_id, humidity -5.0, the temperature "ERR"
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medallion.contracts import load_contract
from medallion.generate import quirks, text
from medallion.generate.files import DeliveryWriter
from medallion.generate.randomness import pick_rows, rng
from medallion.generate.sensor_fleet import HOUR, SITES, Fleet

DATASET = "sensors"
TABLES = ("devices", "readings")
NO_HUMIDITY_SHARE = 0.01
COPY_SHARE = 0.01
MESSY_SITE_SHARE = 0.05


def hour_key(epoch_seconds: int) -> str:
    """The partition value of the delivery of one hour: `YYYY-MM-DDTHH` (UTC)."""
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%dT%H")


def generate_sensors(
    out_dir: Path, start: date, hours: int, devices: int, seed: int
) -> dict[str, dict[str, int]]:
    """Write `hours` hourly deliveries from `start` 00:00 UTC; return rows written.

    The result maps each source folder to {hour: data rows}. Existing folders of those
    hours are replaced.
    """
    if hours < 1 or devices < 1:
        raise ValueError(f"hours and devices must be at least 1, got {hours} and {devices}")
    contracts = {table: load_contract(DATASET, table) for table in TABLES}
    fleet = Fleet(seed, devices)
    first_hour = text.day_start(start)
    rows: dict[str, dict[str, int]] = {contracts[table].source_folder: {} for table in TABLES}
    for hour_index in range(hours):
        hour_start = first_hour + hour_index * HOUR
        key = hour_key(hour_start)
        deliveries = {
            "devices": _devices(fleet, first_hour, hour_start),
            "readings": _readings(fleet, hour_start, is_first=hour_index == 0),
        }
        for table, columns in deliveries.items():
            folder = Path(out_dir) / contracts[table].source_folder / key
            if folder.exists():
                shutil.rmtree(folder)
            with DeliveryWriter(folder, contracts[table]) as writer:
                writer.write(columns)
            rows[contracts[table].source_folder][key] = writer.rows
    return rows


def _devices(fleet: Fleet, first_hour: int, hour_start: int) -> dict[str, pa.Array]:
    """The whole registry, unchanged since the day before the first delivery."""
    generator = rng(fleet.seed, "sensors", "devices", hour_start // HOUR)
    devices = np.arange(fleet.device_count)
    installed_days_before = 30 + (np.arange(fleet.device_count) * 37) % 700
    first_day = first_hour // text.SECONDS_PER_DAY
    site = text.labels(SITES, fleet.site_of(devices))
    return {
        "device_id": text.padded_ids("D", devices + 1, 4),
        "site": quirks.messy_case(site, generator, MESSY_SITE_SHARE),
        "installed_on": text.dates(first_day - installed_days_before),
        "updated_at": text.timestamps(np.full(fleet.device_count, first_hour - 86_400)),
    }


def _readings(fleet: Fleet, hour_start: int, is_first: bool) -> dict[str, pa.Array]:
    """This hour's on-time readings, the hour before's late and re-sent ones, quirks."""
    generator = rng(fleet.seed, "sensors", "delivery", hour_start // HOUR)
    current = fleet.readings(hour_start)
    parts = [current.take(~current.is_late)]
    sent = [parts[0].sent_at]
    if not is_first:
        previous = fleet.readings(hour_start - HOUR)
        for travels, delay in ((previous.is_late, 0), (previous.is_resent, 600)):
            part = previous.take(travels)
            parts.append(part)
            sent.append(hour_start + delay + generator.integers(0, 600, len(part.device)))
    on_time = len(parts[0].device)

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(part, name) for part in parts])

    humidity = pa.array(joined("humidity")).cast(pa.string())
    columns = {
        "device_id": text.padded_ids("D", joined("device") + 1, 4),
        "measured_at": text.timestamps(joined("measured_at")),
        "temperature_c": pa.array(joined("temperature")).cast(pa.string()),
        "humidity_pct": _without_some(humidity, generator),
        "sent_at": text.timestamps(np.concatenate(sent)),
    }
    columns = _with_invalid_readings(columns, on_time, hour_start // HOUR, generator)
    copies = pick_rows(generator, len(columns["device_id"]), COPY_SHARE, 1)
    columns = quirks.with_exact_copies(columns, copies, generator)
    shuffled = pa.array(generator.permutation(len(columns["device_id"])))
    return {name: values.take(shuffled) for name, values in columns.items()}


def _without_some(humidity: pa.Array, generator: np.random.Generator) -> pa.Array:
    """About 1% of the humidity values emptied: the humidity sensor did not answer."""
    mask = np.zeros(len(humidity), dtype=bool)
    mask[pick_rows(generator, len(humidity), NO_HUMIDITY_SHARE, 0)] = True
    return pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), humidity)


# (column, value) of each kind of invalid reading, in the order they take turns
INVALID_KINDS = (
    ("temperature_c", "327.67"),  # the sensor's fault code: out of range
    ("device_id", ""),  # missing value
    ("humidity_pct", "-5.0"),  # out of range
    ("temperature_c", "ERR"),  # not a number
)


def _with_invalid_readings(
    columns: dict[str, pa.Array], on_time: int, hour_number: int, generator: np.random.Generator
) -> dict[str, pa.Array]:
    """Break about 0.3% (at least two) of this hour's own readings; the kinds take turns,
    starting from a kind that moves on every hour."""
    broken = pick_rows(generator, on_time, 0.003, 2)
    kinds = (np.arange(len(broken)) + hour_number) % len(INVALID_KINDS)
    for code, (column, value) in enumerate(INVALID_KINDS):
        columns[column] = quirks.replace_at(columns[column], broken[kinds == code], value)
    return columns
