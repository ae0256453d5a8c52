"""The devices behind the sensor deliveries, and the readings they take each hour.

A reading's values are a pure function of (seed, hour, device, slot): any hour can be
drawn again, which is how a delivery knows the late and re-sent readings of the hour
before without keeping state. Times are epoch seconds (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from medallion.generate.randomness import hashed_uniform, rng

SITES = ("dock", "lab", "office", "plant", "warehouse")
SLOTS_PER_HOUR = 12  # a reading every five minutes
SLOT_SECONDS = 300
HOUR = 3_600
OFFLINE_CHANCE = 0.05  # a device drops out for part of an hour
LATE_SHARE = 0.03  # readings buffered and sent with the next hourly delivery
RESENT_SHARE = 0.01  # readings sent on time and sent again with the next delivery
SPIKE_SHARE = 0.005  # plausible but sudden jumps of +12 °C: gold's anomalies


@dataclass(frozen=True)
class HourOfReadings:
    """Every reading taken in one hour, and how each one travels."""

    device: np.ndarray  # device index
    measured_at: np.ndarray
    temperature: np.ndarray
    humidity: np.ndarray
    sent_at: np.ndarray  # first transmission
    is_late: np.ndarray  # sent with the next hour's delivery
    is_resent: np.ndarray  # sent on time, and again with the next hour's delivery

    def take(self, mask: np.ndarray) -> HourOfReadings:
        return HourOfReadings(**{name: values[mask] for name, values in vars(self).items()})


@dataclass(frozen=True)
class Fleet:
    seed: int
    device_count: int

    def site_of(self, devices: np.ndarray) -> np.ndarray:
        return np.asarray(devices) % len(SITES)

    def readings(self, hour_start: int) -> HourOfReadings:
        """The readings taken in the hour starting at `hour_start` (epoch seconds)."""
        generator = rng(self.seed, "sensors", "readings", hour_start // HOUR)
        devices = np.repeat(np.arange(self.device_count), SLOTS_PER_HOUR)
        slots = np.tile(np.arange(SLOTS_PER_HOUR), self.device_count)
        online = self._online(generator, slots)
        devices, slots = devices[online], slots[online]
        measured_at = hour_start + slots * SLOT_SECONDS + generator.integers(0, 30, len(slots))
        hour_of_day = (measured_at % 86_400) / HOUR
        base = 17 + 7 * hashed_uniform(self.seed, "base_temperature", devices)
        daily = 3 * np.sin(2 * np.pi * (hour_of_day - 9) / 24)
        temperature = base + daily + generator.normal(0, 0.3, len(slots))
        spikes = generator.random(len(slots)) < SPIKE_SHARE
        temperature = np.where(spikes, temperature + 12, temperature)
        humidity = 35 + 25 * hashed_uniform(self.seed, "base_humidity", devices)
        humidity = np.clip(humidity + generator.normal(0, 1.0, len(slots)), 0, 100)
        draws = generator.random(len(slots))
        return HourOfReadings(
            device=devices,
            measured_at=measured_at,
            temperature=np.round(temperature, 2),
            humidity=np.round(humidity, 1),
            sent_at=measured_at + generator.integers(1, 60, len(slots)),
            is_late=draws < LATE_SHARE,
            is_resent=(draws >= LATE_SHARE) & (draws < LATE_SHARE + RESENT_SHARE),
        )

    def _online(self, generator: np.random.Generator, slots: np.ndarray) -> np.ndarray:
        """False for the slots in which a device is offline: a gap of 3 to 12 slots."""
        offline = generator.random(self.device_count) < OFFLINE_CHANCE
        gap_start = generator.integers(0, SLOTS_PER_HOUR, self.device_count)
        gap_length = generator.integers(3, SLOTS_PER_HOUR + 1, self.device_count)
        device_of_slot = np.repeat(np.arange(self.device_count), SLOTS_PER_HOUR)
        start, length = gap_start[device_of_slot], gap_length[device_of_slot]
        in_gap = (slots >= start) & (slots < start + length)
        return ~(offline[device_of_slot] & in_gap)
