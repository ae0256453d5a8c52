"""'Not in the future' for a date column: today passes, tomorrow fails (attendance records)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from medallion.quality.checkpoints import run_check
from medallion.quality.project import check_name

CHECK = check_name("silver", "attendance", "records")


def marks(attendance_date: date) -> pd.DataFrame:
    """Two silver attendance marks, dates as datetime.date as the gate reads them."""
    return pd.DataFrame(
        {
            "student_id": ["S001", "S002"],
            "attendance_date": [date(2026, 11, 2), attendance_date],
            "class_id": ["K01", "K01"],
            "status": ["present", "absent"],
            "recorded_at": [datetime(2026, 11, 2, 8), datetime(2026, 11, 2, 8)],
        }
    )


@pytest.mark.parametrize(("days_ahead", "passes"), [(0, True), (1, False)])
def test_a_date_event_time_is_compared_with_today(gx_home, monkeypatch, days_ahead, passes):
    monkeypatch.setenv("MEDALLION_HOME", str(gx_home))
    now = datetime.now(UTC)
    parameters = {"validation_time": now, "validation_date": now.date()}

    outcome = run_check(
        CHECK, marks(now.date() + timedelta(days=days_ahead)), "2026-11-02", parameters
    )

    # Only the event-time rule matters here (the frame lacks the lineage columns).
    future = [
        failure
        for failure in outcome.failures
        if failure.expectation == "expect_column_values_to_be_between"
        and failure.columns == ["attendance_date"]
    ]
    assert (not future) is passes, future
