"""What a lab's checks share: their own data folder, the environment, fresh imports.

A check must not depend on what the participant's lake holds, so it generates a small
delivery of its own into `.labs/check-lab<N>/data/` (git-ignored, kept after the check so
the participant can look at what was produced) and runs the participant's code there.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from medallion.teaching.labs.base import SOLUTION_STORE


def clean_data_dir(home: Path, number: int) -> Path:
    """An empty data folder for lab `number`'s checks, next to the saved solution files."""
    folder = home / Path(SOLUTION_STORE).parent / f"check-lab{number}" / "data"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@contextmanager
def pointed_at(home: Path, data_dir: Path) -> Iterator[None]:
    """Point the pipeline's settings (MEDALLION_HOME, MEDALLION_DATA_DIR) at a check's
    folders while the participant's code runs, then put the old values back."""
    previous = {name: os.environ.get(name) for name in ("MEDALLION_HOME", "MEDALLION_DATA_DIR")}
    os.environ["MEDALLION_HOME"] = str(home)
    os.environ["MEDALLION_DATA_DIR"] = str(data_dir)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def fresh_import(home: Path, *names: str) -> list[ModuleType]:
    """Import the participant's modules again from disk, as they are now.

    A module imported earlier in this process (by another check, or before the file was
    edited) would otherwise be reused. Fails if a module comes from another copy of the
    project than `home`: the check would be testing someone else's files.
    """
    for name in names:
        sys.modules.pop(name, None)
    importlib.invalidate_caches()
    modules = [importlib.import_module(name) for name in names]
    for module in modules:
        where = Path(module.__file__).resolve()
        if not where.is_relative_to(home.resolve()):
            raise ImportError(
                f"{module.__name__} was imported from {where}, not from the project at {home}. "
                f"Run `make check-lab` from the project folder."
            )
    return modules
