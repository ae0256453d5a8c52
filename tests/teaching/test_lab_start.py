"""`make lab-start` never destroys work, and git does not show the solution.

Each test builds a small git working copy holding Lab 1's real files (the repository's
solution and its starter copies) and runs the real start / restore functions and the
real `git` on it. No Spark, no network: a second or two in all.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from medallion.settings import load_settings
from medallion.teaching.labs import get_lab
from medallion.teaching.labs.base import LabUnderWay, restore_solution, start

HOME = load_settings().home
LAB = get_lab(1)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git working copy with Lab 1's solution committed on `main` and its starters."""
    repo = tmp_path / "course"
    for relative in LAB.student_files:
        for source in (HOME / relative, LAB.starter_file(HOME, relative)):
            target = repo / source.relative_to(HOME)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    (repo / ".gitignore").write_text(".labs/\n")
    (repo / "notes.md").write_text("course notes\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(
        repo,
        "-c",
        "user.name=Lecturer",
        "-c",
        "user.email=l@example.org",
        "commit",
        "-qm",
        "course",
    )
    return repo


def solution_only_lines(relative: str) -> list[str]:
    """Lines of the solution that its starter copy does not have: what must stay hidden."""
    starter = set(LAB.starter_file(HOME, relative).read_text().splitlines())
    return [
        line
        for line in (HOME / relative).read_text().splitlines()
        if line.strip() and line not in starter and len(line.strip()) > 20
    ]


def test_the_solution_is_in_neither_git_diff_nor_git_log(repo):
    start(LAB, repo)
    assert git(repo, "branch", "--show-current").strip() == "lab-1"
    assert git(repo, "diff") == ""  # nothing but the participant's edits, and there are none
    history = git(repo, "log", "-p")
    assert history.count("\ncommit ") == 0 and history.startswith("commit ")  # one commit
    for relative in LAB.student_files:
        hidden = solution_only_lines(relative)
        assert hidden, f"{relative}: the starter should differ from the solution"
        assert not [line for line in hidden if line in history], relative
        assert (repo / relative).read_text() == LAB.starter_file(HOME, relative).read_text()
    # The participant's edit is all `git diff` shows; the other files kept their history.
    edited = repo / LAB.student_files[0]
    edited.write_text(edited.read_text() + "# my change\n")
    diff = git(repo, "diff")
    assert "+# my change" in diff
    assert [
        line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ] == ["+# my change"]
    assert (repo / "notes.md").read_text() == "course notes\n"


def test_a_second_start_refuses_and_keeps_the_edits(repo):
    start(LAB, repo)
    edited = repo / LAB.student_files[0]
    work = edited.read_text() + "# two hours of work\n"
    edited.write_text(work)
    with pytest.raises(LabUnderWay) as refused:
        start(LAB, repo)
    message = str(refused.value)
    assert LAB.student_files[0] in message and "AGAIN=1" in message
    assert edited.read_text() == work


def test_starting_again_backs_the_edits_up_first(repo):
    start(LAB, repo)
    edited = repo / LAB.student_files[0]
    work = edited.read_text() + "# two hours of work\n"
    edited.write_text(work)
    lines = start(LAB, repo, again=True)
    backups = list((repo / ".labs" / "backup").glob(f"lab1-*/{LAB.student_files[0]}"))
    assert [backup.read_text() for backup in backups] == [work]
    assert any(line.startswith("backup: ") for line in lines), lines
    assert edited.read_text() == LAB.starter_file(HOME, LAB.student_files[0]).read_text()


def test_the_solution_comes_back_twice_and_the_edits_are_backed_up(repo):
    start(LAB, repo)
    edited = repo / LAB.student_files[0]
    edited.write_text(edited.read_text() + "# mine\n")
    for _ in range(2):  # the second time, HEAD (the lab branch) holds only the starter
        restore_solution(LAB, repo)
        for relative in LAB.student_files:
            assert (repo / relative).read_text() == (HOME / relative).read_text(), relative
    backups = list((repo / ".labs" / "backup").glob(f"lab1-*/{LAB.student_files[0]}"))
    assert len(backups) == 1 and backups[0].read_text().endswith("# mine\n")


def test_an_earlier_lab_branch_is_renamed_not_deleted(repo):
    start(LAB, repo)
    first = git(repo, "rev-parse", "lab-1").strip()
    git(repo, "switch", "-q", "-f", "main")
    restore_solution(LAB, repo)
    start(LAB, repo)
    assert git(repo, "rev-parse", f"lab-1-before-{first[:8]}").strip() == first
