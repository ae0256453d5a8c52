"""Values typed on make's command line are data, never code: the real Makefile, run.

`-o setup -o engine` skip the setup and engine targets (the environment exists already). Each value below
would have run a command (or Python code) if it reached a shell or `python -c` as text.
"""

from __future__ import annotations

import subprocess

import pytest
from support.airflow import REPO

from medallion.dag_runs import dates_to_run

pytestmark = pytest.mark.slow


def make(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), "-o", "setup", "-o", "engine", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": f"{REPO / '.venv' / 'bin'}:/usr/bin:/bin",
            "MEDALLION_DATA_DIR": str(tmp_path),
        },
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("START", "2026-11-01'); open('{marker}', 'w'); ('", "is not a date"),
        ("DATES", "2026-11-01; touch {marker}", "'2026-11-01;' is not a date"),
        ("DATASET", "ecommerce; touch {marker} #", "lower-case letters, digits and _ only"),
        ("DATASET", "ecommerce\n", "lower-case letters, digits and _ only"),
    ],
)
def test_make_run_refuses_a_value_that_is_not_what_it_names(tmp_path, variable, value, said):
    marker = tmp_path / "ran"
    args = {"DATASET": "ecommerce", "START": "2026-11-01", "DAYS": "1"}
    args[variable] = value.format(marker=marker)
    result = make(tmp_path, "run", *[f"{key}={text}" for key, text in args.items()])
    assert result.returncode == 2, result.stdout + result.stderr
    assert said in result.stderr
    assert not marker.exists()


def test_make_break_passes_the_scenario_as_one_argument(tmp_path):
    marker = tmp_path / "ran"
    result = make(tmp_path, "break", f"SCENARIO=corrupt-file; touch {marker}")
    assert result.returncode != 0
    assert "invalid choice: 'corrupt-file; touch" in result.stderr
    assert not marker.exists()


def test_run_dates_follow_the_dataset():
    assert dates_to_run("ecommerce", "2026-11-30", 2, 0, "") == ["2026-11-30", "2026-12-01"]
    assert dates_to_run("sensors", "2026-11-01", 0, 2, "") == [
        "2026-11-01T00:00:00+00:00",
        "2026-11-01T01:00:00+00:00",
    ]
    assert dates_to_run("ecommerce", "", 0, 0, " 2026-11-02  2026-11-03 ") == [
        "2026-11-02",
        "2026-11-03",
    ]
