"""Every lab document's commands, run in order in a scratch copy of the repository.

A participant types the commands of docs/labs/lab<N>/README.md as they stand; this test
types them too, so a document cannot drift from the code. The convention (which blocks
run, and the marker for commands that must fail) is in docs/labs/README.md and
tests/support/lab_documents.py. Each lab takes a few minutes: it runs Spark and dbt.
Lab 1 runs on a copy of the morning's demo data and must leave the Lesson 1 checkpoint
(`make checkpoint Q=bronze`) answering exactly as before.
"""

from __future__ import annotations

import re
import shutil
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


def bronze_checkpoint(copy: Path, env: dict[str, str]) -> Outcome:
    """The Lesson 1 checkpoint, `make checkpoint Q=bronze`, as a participant runs it."""
    return run_command(Command("make checkpoint Q=bronze", must_fail=False), copy, env, 600)


@pytest.mark.parametrize("document", LAB_DOCUMENTS, ids=lambda path: path.parent.name)
def test_the_commands_of_the_lab_document_run_as_shown(document: Path, tmp_path, request):
    commands = document_commands(document.read_text(encoding="utf-8"))
    assert commands, f"{document} has no ```bash block: nothing a participant can run"
    copy = copy_repository(HOME, tmp_path / "repo")
    env = scratch_environment(copy)
    lab_1 = document.parent.name == "lab1"
    if lab_1:
        # The day's order: the morning's demo run (the shared two-day pipeline run of
        # tests/conftest.py, no extra run) is in data/ when Lab 1 starts, and the Lesson 1
        # checkpoint must show the same bronze after the lab as before it.
        shutil.copytree(
            request.getfixturevalue("ecommerce_run").data_dir, copy / "data", dirs_exist_ok=True
        )
        before = bronze_checkpoint(copy, env)
        assert before.as_expected, explain(before)
    for command in commands:
        outcome = run_command(command, copy, env, COMMAND_TIMEOUT)
        print(f"{outcome.seconds:6.1f} s  exit {outcome.exit_code}  {command.line}")
        assert outcome.as_expected, f"{document.relative_to(HOME)}: {explain(outcome)}"
    if lab_1:
        after = bronze_checkpoint(copy, env)
        assert after.as_expected, f"Lab 1 broke the morning's data: {explain(after)}"
        assert after.output == before.output
        assert list((copy / ".labs" / "lab1" / "data" / "landing").rglob("*.csv")), (
            "Lab 1's commands should write their delivery to .labs/lab1/data"
        )
