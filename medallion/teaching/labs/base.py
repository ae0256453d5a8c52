"""What a lab is: the files a participant writes, their starter copies, and the milestones.

A lab's starter state replaces the files the participant writes (`Lab.student_files`) with
the copies kept in `docs/labs/lab<N>/starter/` (same relative paths). Those copies still
import, parse and compile, so the rest of the project keeps working; only the pieces the
lab teaches are left as `TODO`s. The repository's own files are the solution.

    make lab-start N=1      save the solution's files, copy the starter files over them
    make check-lab N=1      run the lab's milestones, one line each, exit 1 if one fails
    make lab-solution N=1   put the saved (or committed) solution files back

A milestone is a function of a `LabContext` that returns a `CheckResult` (see
medallion/teaching/checks.py): ok, or fail with what is missing and what to do.
"""

from __future__ import annotations

import filecmp
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from medallion.teaching.checks import FAIL, CheckResult, fail


@dataclass(frozen=True)
class LabContext:
    """Where a check looks: the project (`home`) and its data folder (`data_dir`)."""

    home: Path
    data_dir: Path


@dataclass(frozen=True)
class Milestone:
    """One thing the participant can show: `title` is what a passing line says it proved."""

    title: str
    check: Callable[[LabContext], CheckResult]


@dataclass(frozen=True)
class Lab:
    number: int
    title: str
    student_files: tuple[str, ...]
    milestones: tuple[Milestone, ...]
    # What `make lab-start` leaves when there are no files to replace (Lab 4 writes no code).
    start_note: str = ""

    @property
    def folder(self) -> str:
        return f"docs/labs/lab{self.number}"

    def starter_file(self, home: Path, relative: str) -> Path:
        return home / self.folder / "starter" / relative


SOLUTION_STORE = ".labs/solution"


def start(lab: Lab, home: Path) -> list[str]:
    """Copy the lab's starter files over the project's; keep the solution to restore.

    Returns one line per file. Running it twice keeps the first saved solution.
    """
    lines = []
    for relative in lab.student_files:
        target, starter = home / relative, lab.starter_file(home, relative)
        saved = home / SOLUTION_STORE / relative
        if target.exists() and not saved.exists() and not filecmp.cmp(target, starter, False):
            saved.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target, saved)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(starter, target)
        lines.append(f"starter: {relative} (your work goes where it says TODO)")
    if lab.start_note:
        lines.append(lab.start_note)
    return lines


def restore_solution(lab: Lab, home: Path) -> list[str]:
    """Put the solution back: the copy saved by `start`, else the committed file."""
    lines = []
    for relative in lab.student_files:
        target, saved = home / relative, home / SOLUTION_STORE / relative
        if saved.exists():
            shutil.copyfile(saved, target)
            saved.unlink()
            lines.append(f"solution: {relative} (the copy saved by lab-start)")
        else:
            subprocess.run(["git", "checkout", "HEAD", "--", relative], cwd=home, check=True)
            lines.append(f"solution: {relative} (the committed file)")
    return lines


def run_milestones(lab: Lab, context: LabContext) -> list[CheckResult]:
    """Every milestone's result. A check that raises is reported as a failure, with the
    exception's message, so one broken piece does not hide the others."""
    results = []
    for number, milestone in enumerate(lab.milestones, start=1):
        name = f"milestone {number}: {milestone.title}"
        try:
            result = milestone.check(context)
        except Exception as error:  # noqa: BLE001 - reported, not swallowed: it fails the lab
            result = fail(
                name,
                f"the check stopped with {type(error).__name__}: {error}",
                "read the message, fix the code it names, run `make check-lab` again",
            )
        results.append(CheckResult(name, result.status, result.found, result.fix))
    return results


def passed(results: list[CheckResult]) -> bool:
    return all(result.status != FAIL for result in results)
