"""`make trace` says what to do when it cannot answer: unknown dataset, a key of the wrong
shape, no data yet. (Its answers are checked against recomputations from the landing
files in the integration tests of each dataset.)"""

from __future__ import annotations

import pytest

from medallion.trace import TraceError, trace_record
from medallion.trace_report import main


def test_an_unknown_dataset_is_named_with_the_known_ones(data_dir):
    with pytest.raises(TraceError, match=r"unknown dataset 'shop'.*ecommerce"):
        trace_record("shop", "O-1")


def test_a_composite_key_needs_every_part(data_dir):
    with pytest.raises(TraceError, match=r'KEY="<student_id>,<attendance_date>"'):
        trace_record("attendance", "S0001")


def test_a_key_part_of_the_wrong_type_is_named(data_dir):
    with pytest.raises(TraceError, match=r"attendance_date is a date .* not 'monday'"):
        trace_record("attendance", "S0001,monday")


def test_no_data_yet_says_to_run_the_pipeline(data_dir, capsys):
    assert main(["sensors", "D-001,2026-11-01 00:05:00"]) == 2
    assert "make demo DATASET=sensors" in capsys.readouterr().err
