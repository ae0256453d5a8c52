"""The wording helpers of monitoring.messages on their edge cases."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from monitoring.messages import ERROR_LINE_LIMIT, human_duration, one_line, run_duration_seconds


def test_an_error_becomes_its_type_and_first_line():
    error = ValueError("orders 2026-11-20: 81 rows out of range\n  at row 17\n  at row 40")
    assert one_line(error) == "ValueError: orders 2026-11-20: 81 rows out of range"


def test_a_long_error_is_cut_to_the_limit():
    text = one_line(RuntimeError("x" * 1_000))
    assert len(text) == ERROR_LINE_LIMIT and text.endswith("…")


def test_no_exception_says_where_to_look():
    assert one_line(None) == "no exception recorded (see the log)"


def test_run_duration_starts_when_the_run_became_due_if_start_date_is_older():
    # `airflow dags test` reports the logical date as start_date.
    run = SimpleNamespace(
        start_date=datetime(2026, 11, 20, tzinfo=UTC),
        run_after=datetime(2026, 11, 22, 8, 0, 0, tzinfo=UTC),
        end_date=datetime(2026, 11, 22, 8, 4, 12, tzinfo=UTC),
    )
    assert run_duration_seconds(run) == 252.0


def test_durations_read_like_a_person_would_say_them():
    assert [human_duration(s) for s in (7, 252, 3_725)] == ["7s", "4m 12s", "1h 2m"]
