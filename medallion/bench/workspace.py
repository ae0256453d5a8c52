"""Where the benchmark keeps its data: generated landing files, cached per scale and seed,
and a fresh lake per run, beside its own copy of the project's dbt and GX folders.

    <work dir>/                      default: .bench/ in the repository (git-ignored)
      landing/<scale>-seed<seed>/ecommerce/<folder>/<ds>/...   generated once, reused
      home/                          MEDALLION_HOME of every stage: the contracts (a link),
                                     copies of dbt/ and great_expectations/ (their target/,
                                     logs/ and Data Docs stay here, not in the repository)
      runs/<name>/                   MEDALLION_DATA_DIR of one run: landing/ (a link),
                                     lake/, warehouse/; floor/ for the DuckDB floor
      logs/<name>/<stage>.log        every stage's log
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from medallion.settings import load_settings

log = logging.getLogger(__name__)

START = date(2026, 11, 1)
# The history runs need a month of deliveries that all lie in the past: the silver gate
# rejects events dated in the future.
HISTORY_START = date(2026, 9, 1)


@dataclass(frozen=True)
class Scale:
    """Orders delivered per day at a scale; items and events follow (about 2.2 and 5.5
    per order, see medallion.generate.ecommerce)."""

    name: str
    orders_per_day: int


SCALES = {
    scale.name: scale
    for scale in (
        Scale("tiny", 50),
        Scale("10k", 10_000),
        Scale("100k", 100_000),
        Scale("1m", 1_000_000),
        Scale("10m", 10_000_000),
    )
}


def delivery_dates(days: int, start: date = START) -> list[str]:
    """The first `days` delivery dates of a landing folder generated from `start`."""
    return [(start + timedelta(days=offset)).isoformat() for offset in range(days)]


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def home(self) -> Path:
        return self.root / "home"

    def landing(self, scale: Scale, days: int, seed: int, start: date = START) -> Path:
        """The generated landing folder of a scale (generated now if not cached).

        The folder holds the `ecommerce` dataset; generating is deterministic, so a
        cached folder holds exactly what generating again would write.
        """
        suffix = "" if start == START else f"-from{start.isoformat()}"
        folder = self.root / "landing" / f"{scale.name}-{days}d-seed{seed}{suffix}"
        done = folder / ".generated"
        if not done.exists():
            from medallion.generate.ecommerce import generate_ecommerce

            log.info("generating %s orders a day for %d day(s) into %s", scale.name, days, folder)
            generate_ecommerce(folder / "ecommerce", start, days, scale.orders_per_day, seed)
            done.touch()
        return folder

    def new_run(self, name: str, landing: Path) -> Path:
        """An empty data folder for one run, reading the given landing folder."""
        data_dir = self.root / "runs" / name
        if data_dir.exists():
            shutil.rmtree(data_dir)
        data_dir.mkdir(parents=True)
        (data_dir / "landing").symlink_to(landing.resolve())
        return data_dir

    def logs(self, name: str) -> Path:
        return self.root / "logs" / name

    def prepare_home(self) -> Path:
        """A MEDALLION_HOME with the project's current dbt and GX projects and contracts.

        Copied afresh each time so the bench runs today's models; dbt's target/ is kept,
        as it is between runs of the real pipeline.
        """
        repo = load_settings().home
        home = self.home
        home.mkdir(parents=True, exist_ok=True)
        contracts = home / "data" / "contracts"
        if not contracts.exists():
            contracts.parent.mkdir(parents=True, exist_ok=True)
            contracts.symlink_to(repo / "data" / "contracts")
        for project, generated in (
            ("dbt", ("target", "logs", "dbt_packages")),
            ("great_expectations", ("uncommitted",)),
        ):
            shutil.copytree(
                repo / project,
                home / project,
                ignore=shutil.ignore_patterns(*generated),
                dirs_exist_ok=True,
            )
        return home
