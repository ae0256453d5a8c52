"""A broken copy of a clean run, per test.

`clean_lake` is the data folder of the shared two-day run (`ecommerce_run`: landing,
lake, warehouse) and its gold. `broken_lake` copies it into the test's own folder and
points MEDALLION_DATA_DIR there, so a scenario can break and re-run dates freely.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.lake_checks import gold_snapshot


@dataclass(frozen=True)
class CleanLake:
    data_dir: Path
    gold: dict[str, list[tuple]]


@pytest.fixture(scope="session")
def clean_lake(ecommerce_run) -> CleanLake:
    return CleanLake(ecommerce_run.data_dir, gold_snapshot(ecommerce_run.data_dir))


@pytest.fixture
def broken_lake(clean_lake, tmp_path, monkeypatch) -> Path:
    data_dir = tmp_path / "data"
    shutil.copytree(clean_lake.data_dir, data_dir)
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(data_dir))
    # Metrics stay off unless a scenario turns them on.
    monkeypatch.setenv("MEDALLION_PUSHGATEWAY_URL", "")
    return data_dir
