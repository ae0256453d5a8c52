"""What a lab is: the files a participant writes, their starter copies, and the milestones.

A lab's starter state replaces the files the participant writes (`Lab.student_files`) with
the copies kept in `docs/labs/lab<N>/starter/` (same relative paths). Those copies still
import, parse and compile, so the rest of the project keeps working; only the pieces the
lab teaches are left as `TODO`s. The repository's own files are the solution.

    make lab-start N=1      save the solution's files, copy the starter files over them and
                            move to git branch lab-1 (lab_branch.py); refuses when the files
                            hold your edits (AGAIN=1: back them up, start over)
    make check-lab N=1      run the lab's milestones, one line each, exit 1 if one fails
    make lab-solution N=1   back up your versions, put the saved solution files back

A milestone is a function of a `LabContext` that returns a `CheckResult` (see
medallion/teaching/checks.py): ok, or fail with what is missing and what to do.
"""

from __future__ import annotations

import filecmp
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from medallion.teaching.checks import FAIL, CheckResult, fail
from medallion.teaching.labs.lab_branch import move_to_lab_branch


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
BACKUP_STORE = ".labs/backup"


class LabUnderWay(SystemExit):
    """`make lab-start` found a participant's edits in the lab's files and changed nothing."""


def edited_files(lab: Lab, home: Path) -> list[str]:
    """The lab's files that hold the participant's work: since `make lab-start` saved the
    solution, they differ from both the starter copy and the saved solution."""
    edited = []
    for relative in lab.student_files:
        target, saved = home / relative, home / SOLUTION_STORE / relative
        if not (target.exists() and saved.exists()):
            continue
        starter = lab.starter_file(home, relative)
        if not filecmp.cmp(target, starter, False) and not filecmp.cmp(target, saved, False):
            edited.append(relative)
    return edited


def back_up(home: Path, number: int, relatives: list[str]) -> Path:
    """Copy the participant's versions of `relatives` to .labs/backup/lab<N>-<UTC time>/."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = home / BACKUP_STORE / f"lab{number}-{stamp}"
    for relative in relatives:
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(home / relative, folder / relative)
    return folder


def start(lab: Lab, home: Path, again: bool = False) -> list[str]:
    """Copy the lab's starter files over the project's; keep the solution to restore.

    Returns one line per file. Never loses work: the first solution saved is kept, and
    when the lab's files hold the participant's edits it changes nothing and says how to
    start over (LabUnderWay) unless `again`, which first copies those edits to
    .labs/backup/. In a git working copy it then moves to the lab's branch (lab_branch.py),
    so `git diff` and `git log -p` do not show the solution.
    """
    edited = edited_files(lab, home)
    if edited and not again:
        raise LabUnderWay(
            f"Lab {lab.number} is under way: you changed {', '.join(edited)} since "
            f"`make lab-start N={lab.number}`. Nothing was changed. Carry on editing and run "
            f"`make check-lab N={lab.number}`; or start over from the starter files with "
            f"`make lab-start N={lab.number} AGAIN=1`, which first copies your versions to "
            f"{BACKUP_STORE}/."
        )
    lines = []
    if edited:
        folder = back_up(home, lab.number, edited)
        lines.append(
            f"backup: your versions of {', '.join(edited)} are in {folder.relative_to(home)}"
        )
    for relative in lab.student_files:
        target, starter = home / relative, lab.starter_file(home, relative)
        saved = home / SOLUTION_STORE / relative
        if target.exists() and not saved.exists() and not filecmp.cmp(target, starter, False):
            saved.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target, saved)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(starter, target)
        lines.append(f"starter: {relative} (your work goes where it says TODO)")
    if lab.student_files:
        starters = {relative: lab.starter_file(home, relative) for relative in lab.student_files}
        lines.extend(move_to_lab_branch(home, lab.number, starters))
    if lab.start_note:
        lines.append(lab.start_note)
    return lines


def restore_solution(lab: Lab, home: Path) -> list[str]:
    """Put the solution back: the copy saved by `start`, else the committed file.

    The participant's own versions are copied to .labs/backup/ first."""
    lines = []
    edited = edited_files(lab, home)
    if edited:
        folder = back_up(home, lab.number, edited)
        lines.append(
            f"backup: your versions of {', '.join(edited)} are in {folder.relative_to(home)}"
        )
    for relative in lab.student_files:
        target, saved = home / relative, home / SOLUTION_STORE / relative
        if saved.exists():
            # The saved copy stays: on the lab's branch the committed file is the starter.
            shutil.copyfile(saved, target)
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
