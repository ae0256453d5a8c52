"""Every lab document's commands, run in order in a scratch copy of the repository.

A participant types the commands of docs/labs/lab<N>/README.md as they stand; this test
types them too, so a document cannot drift from the code. The convention (which blocks
run, and the marker for commands that must fail) is in docs/labs/README.md and
tests/support/lab_documents.py. Each lab takes a few minutes: it runs Spark and dbt.

The labs run as the day does, in order and in one copy: the morning's demo data first
(the shared pipeline run of tests/conftest.py), then Lab 1, the Lesson 1 checkpoint
(`make checkpoint Q=bronze`, which must answer exactly as before Lab 1), Lab 2, the
Lesson 2 checkpoint (`make checkpoint Q=dbt-test`), Lab 3 and Lab 4 (whose pages run
the Lesson 3 checkpoint, `make checkpoint Q=dag-run`, themselves).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.lab_documents import (
    FAILS_MARKER,
    Command,
    Outcome,
    copy_repository,
    document_commands,
    explain,
    run_command,
    scratch_environment,
)

from medallion.settings import load_settings

pytestmark = pytest.mark.slow

HOME = load_settings().home
LAB_DOCUMENTS = sorted(HOME.glob("docs/labs/lab*/README.md"))
COMMAND_TIMEOUT = 900


def test_the_convention_picks_bash_blocks_and_the_failure_marker():
    text = (
        "Intro.\n\n```bash\nmake lab-start N=1\n# a comment\n\n"
        f"make check-lab N=1  {FAILS_MARKER}\n```\n\n"
        "```text\n[fail] milestone 1\n```\n\n```python\nprint(1)\n```\n\n"
        "```bash\nmake lab-solution N=1\n```\n"
    )
    assert document_commands(text) == [
        Command("make lab-start N=1", must_fail=False),
        Command("make check-lab N=1", must_fail=True),
        Command("make lab-solution N=1", must_fail=False),
    ]


def test_a_command_cannot_continue_over_lines():
    with pytest.raises(ValueError, match="one command per line"):
        document_commands("```bash\nmake check-lab \\\n  N=1\n```\n")


def test_the_labs_index_states_the_convention():
    index = (HOME / "docs" / "labs" / "README.md").read_text(encoding="utf-8")
    assert FAILS_MARKER in index
    for document in LAB_DOCUMENTS:
        assert f"{document.parent.name}/README.md" in index, f"index has no link to {document}"


@pytest.mark.parametrize(
    "page",
    [HOME / "docs" / "labs" / "README.md", *LAB_DOCUMENTS],
    ids=lambda path: path.parent.name,
)
def test_every_relative_link_points_at_a_file(page: Path):
    links = re.findall(r"\]\(((?!https?:)[^)#]+)", page.read_text(encoding="utf-8"))
    missing = [link for link in links if not (page.parent / link).resolve().exists()]
    assert not missing, f"{page.relative_to(HOME)} links to missing files: {missing}"


# The checkpoint a lesson asks after its lab (lecturer's guide, "Turning the day into
# three student lessons"). Labs 3 and 4 ask theirs, `make checkpoint Q=dag-run`, on
# their own pages, so their documents run it.
CHECKPOINT_AFTER = {"lab1": "bronze", "lab2": "dbt-test"}


@dataclass
class Day:
    """One scratch copy the whole day runs in, and what the morning left in it."""

    copy: Path
    env: dict[str, str]
    morning_bronze: Outcome
    failed: list[str] = field(default_factory=list)


def answer_of(outcome: Outcome) -> str:
    """What a checkpoint printed, without make's own lines (a first run also sets up)."""
    return outcome.output.split("-m medallion.teaching.checkpoints", 1)[-1].split("\n", 1)[-1]


def checkpoint(day: Day, question: str) -> Outcome:
    """A checkpoint, `make checkpoint Q=...`, as a participant runs it."""
    command = Command(f"make checkpoint Q={question}", must_fail=False)
    return run_command(command, day.copy, day.env, COMMAND_TIMEOUT)


@pytest.fixture(scope="module")
def day(tmp_path_factory, ecommerce_run) -> Day:
    """The morning: the demo's data is in data/ when the labs start. It is the shared
    two-day pipeline run of tests/conftest.py (`ecommerce_run`), so the day costs no
    pipeline run of its own."""
    copy = copy_repository(HOME, tmp_path_factory.mktemp("day") / "repo")
    env = scratch_environment(copy)
    shutil.copytree(ecommerce_run.data_dir, copy / "data", dirs_exist_ok=True)
    morning = Day(copy, env, morning_bronze=Outcome(Command("", False), 1, "", 0))
    morning.morning_bronze = checkpoint(morning, "bronze")
    assert morning.morning_bronze.as_expected, explain(morning.morning_bronze)
    return morning


@pytest.mark.parametrize("document", LAB_DOCUMENTS, ids=lambda path: path.parent.name)
def test_the_day_in_order_every_lab_document_runs_as_shown(document: Path, day: Day):
    """demo -> Lab 1 -> checkpoint -> Lab 2 -> checkpoint -> Lab 3 -> Lab 4, in one copy,
    each lab typing its page's commands where the lab before left off."""
    assert not day.failed, f"an earlier lab failed ({', '.join(day.failed)}): the day stops there"
    commands = document_commands(document.read_text(encoding="utf-8"))
    assert commands, f"{document} has no ```bash block: nothing a participant can run"
    lab = document.parent.name
    day.failed.append(lab)  # until it passes
    for command in commands:
        outcome = run_command(command, day.copy, day.env, COMMAND_TIMEOUT)
        print(f"{outcome.seconds:6.1f} s  exit {outcome.exit_code}  {command.line}")
        assert outcome.as_expected, f"{document.relative_to(HOME)}: {explain(outcome)}"
    question = CHECKPOINT_AFTER.get(lab)
    if question:
        answer = checkpoint(day, question)
        print(f"{answer.seconds:6.1f} s  exit {answer.exit_code}  make checkpoint Q={question}")
        assert answer.as_expected, f"the checkpoint after {lab} fails: {explain(answer)}"
    if lab == "lab1":
        # Lab 1 works in .labs/lab1/data: the morning's bronze is exactly as it was.
        assert answer_of(answer) == answer_of(day.morning_bronze)
        assert list((day.copy / ".labs" / "lab1" / "data" / "landing").rglob("*.csv")), (
            "Lab 1's commands should write their delivery to .labs/lab1/data"
        )
    day.failed.remove(lab)
