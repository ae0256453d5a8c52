"""Extraction windows: where a new date starts, what a re-run reuses, a broken file."""

from __future__ import annotations

import json

import pytest

from medallion.watermarks import (
    Window,
    record_window,
    recorded_windows,
    start_after,
    watermark_path,
    window_of,
)


def test_a_first_date_starts_at_the_beginning(data_dir):
    assert start_after("ecommerce", "orders", "2026-11-01") is None
    assert window_of("ecommerce", "orders", "2026-11-01") is None


def test_a_new_date_starts_where_the_latest_earlier_date_ended(data_dir):
    record_window("ecommerce", "orders", "2026-11-01", Window(None, "2026-11-01 23:10:00", 50))
    record_window("ecommerce", "orders", "2026-11-03", Window("x", "2026-11-03 22:00:00", 4))
    record_window(
        "ecommerce", "orders", "2026-11-02", Window("2026-11-01 23:10:00", "2026-11-02 21:00:00", 7)
    )

    assert start_after("ecommerce", "orders", "2026-11-02") == "2026-11-01 23:10:00"
    assert start_after("ecommerce", "orders", "2026-11-04") == "2026-11-03 22:00:00"
    assert start_after("ecommerce", "customers", "2026-11-04") is None
    assert window_of("ecommerce", "orders", "2026-11-02") == Window(
        "2026-11-01 23:10:00", "2026-11-02 21:00:00", 7
    )


def test_the_file_is_replaced_whole_and_sorted_by_date(data_dir):
    record_window("ecommerce", "orders", "2026-11-02", Window("a", "b", 1))
    record_window("ecommerce", "orders", "2026-11-01", Window(None, "a", 2))
    path = watermark_path("ecommerce", "orders")
    body = json.loads(path.read_text())
    assert list(body["windows"]) == ["2026-11-01", "2026-11-02"]
    assert path.parent == data_dir / "lake" / "_watermarks" / "ecommerce"
    assert [p.name for p in path.parent.iterdir()] == ["orders.json"]


def test_a_broken_file_fails_with_what_to_do(data_dir):
    path = watermark_path("ecommerce", "orders")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="delete it to extract ecommerce.orders"):
        recorded_windows("ecommerce", "orders")
