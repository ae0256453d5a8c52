"""`make break SCENARIO=...` (python -m medallion.faults) for every scenario, as a student runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import requests
from support.airflow import ECOMMERCE_DATES

from medallion.faults import network
from medallion.faults.catalog import SCENARIOS

pytestmark = pytest.mark.integration


def break_it(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "medallion.faults", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_every_scenario_breaks_and_explains(clean_lake, tmp_path):
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path / "airflow_home")}
    try:
        for name in SCENARIOS:
            # Each scenario on its own copy of the clean run, as after `make reset && make demo`.
            data_dir = tmp_path / name
            shutil.copytree(clean_lake.data_dir, data_dir)
            result = break_it(name, env={**env, "MEDALLION_DATA_DIR": str(data_dir)})
            assert result.returncode == 0, f"{name}: {result.stderr[-2000:]}"
            assert result.stdout.count("\n  - ") >= 1, f"{name} printed no change:\n{result.stdout}"
            for heading in ("Now run:", "The pipeline:", "You will see:", "To recover:"):
                assert heading in result.stdout, f"{name} printed no {heading!r}:\n{result.stdout}"
            if name == "corrupt-file":  # date-bound scenarios break the newest delivery
                assert f'make run DATES="{ECOMMERCE_DATES[-1]}"' in result.stdout
        # network-timeout started the flaky catalogue API in the background.
        health = requests.get(f"{network.URL}/health", timeout=5)
        assert health.json() == {"status": "ok"}
    finally:
        subprocess.run([sys.executable, "-m", "medallion.faults.network"], env=env, check=True)
    faults = (tmp_path / "airflow_home" / "faults.env").read_text()
    for variable in (
        "MEDALLION_PUSHGATEWAY_URL",
        "AIRFLOW_CONN_ALERT_WEBHOOK",
        "MEDALLION_ECOMMERCE_PRODUCTS",
        "AIRFLOW_CONN_ECOMMERCE_CATALOGUE",
    ):
        assert f"export {variable} := " in faults
    with pytest.raises(requests.ConnectionError):  # stopped, as make reset does
        requests.get(f"{network.URL}/health", timeout=5)


def test_unknown_variants_and_missing_data_get_clear_messages(data_dir):
    env = {**os.environ, "MEDALLION_DATA_DIR": str(data_dir)}
    result = break_it("corrupt-file", env=env)
    assert result.returncode != 0 and "run `make demo` first" in result.stderr
    result = break_it("schema-drift", "--variant", "renamed", "--ds", "2026-11-02", env=env)
    assert result.returncode != 0
    assert "added-column" in result.stderr and "'renamed'" in result.stderr
