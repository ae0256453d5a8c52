"""`make check-lab` on the starter state of Labs 1 and 2 names what is missing.

The lab documents' test (test_lab_documents.py) runs lab-start, check-lab (must fail),
lab-solution and check-lab (must pass) by exit code. Here the starter's output is read
line by line: the milestones the starter gives away pass, and every other one fails with
a message that names the missing piece and the file to change. Both run in a scratch
copy of the repository, with real Spark and dbt, so the working tree is never touched.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from support.lab_documents import copy_repository, scratch_environment

from medallion.settings import load_settings

pytestmark = pytest.mark.slow

HOME = load_settings().home

# lab -> milestone -> words its line must hold on the starter (None: the milestone passes).
STARTER_LINES = {
    1: {
        1: None,
        2: None,
        3: ["_ingested_at, _source_file are empty", "spark/transforms/ingest.py"],
        4: ["_row_hash", "empty", "spark/transforms/ingest.py"],
        5: ["it logged nothing", "log.info", "spark/jobs/ingest_to_bronze.py"],
        6: ["has no source_rows, ingested_at", "spark/jobs/ingest_to_bronze.py"],
    },
    2: {
        1: None,
        2: ["older versions of orders delivered again", "stg_ecommerce__orders.sql"],
        3: ["'cancelled' orders have is_revenue True", "stg_ecommerce__orders.sql"],
        4: ["groups differ", "Revenue per day", "agg_daily_sales.sql"],
        5: ["unique_combination on [order_date, category, region, segment]", "a unit test"],
        6: ["unique_stg_ecommerce__orders_order_id [fail]"],
    },
}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    copy = copy_repository(HOME, tmp_path_factory.mktemp("labs") / "repo")
    return copy, scratch_environment(copy)


def labs(copy, env, action: str, number: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(copy / ".venv" / "bin" / "python"),
            "-m",
            "medallion.teaching.labs",
            action,
            str(number),
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.parametrize("number", sorted(STARTER_LINES))
def test_check_lab_on_the_starter_says_what_is_missing(scratch, number):
    copy, env = scratch
    assert labs(copy, env, "start", number).returncode == 0
    try:
        checked = labs(copy, env, "check", number)
    finally:
        assert labs(copy, env, "solution", number).returncode == 0
    assert checked.returncode == 1, checked.stdout + checked.stderr[-3000:]
    lines = {
        int(match.group(2)): (match.group(1), line)
        for line in checked.stdout.splitlines()
        if (match := re.match(r"\[(ok|fail)\]\s+milestone (\d+):", line))
    }
    expected = STARTER_LINES[number]
    assert sorted(lines) == sorted(expected), checked.stdout
    for milestone, words in expected.items():
        status, line = lines[milestone]
        if words is None:
            assert status == "ok", line
        else:
            assert status == "fail" and "Fix:" in line, line
            missing = [word for word in words if word not in line]
            assert not missing, f"{missing} not in: {line}"
    passing = sum(words is None for words in expected.values())
    assert f"{passing} of {len(expected)} milestones pass; keep going." in checked.stdout
