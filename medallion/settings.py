"""Where the pipeline reads and writes, taken from the environment.

Every path has a default inside the repository, so `make demo` needs no configuration;
tests and containers point the same code elsewhere by setting the variables below.

| variable              | default                      | holds                                  |
|-----------------------|------------------------------|----------------------------------------|
| MEDALLION_HOME        | the repository root          | dbt/, great_expectations/, data/contracts |
| MEDALLION_DATA_DIR    | $MEDALLION_HOME/data         | landing/, lake/, warehouse/            |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    """Resolved locations of one pipeline installation."""

    home: Path
    data_dir: Path

    @property
    def contracts_dir(self) -> Path:
        return self.home / "data" / "contracts"

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def lake_dir(self) -> Path:
        return self.data_dir / "lake"

    @property
    def warehouse_dir(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def dbt_project_dir(self) -> Path:
        return self.home / "dbt"


def load_settings() -> Settings:
    """Read the settings from the environment (cheap: no I/O)."""
    home = Path(os.environ.get("MEDALLION_HOME", _REPO_ROOT)).resolve()
    data_dir = Path(os.environ.get("MEDALLION_DATA_DIR", home / "data")).resolve()
    return Settings(home=home, data_dir=data_dir)
