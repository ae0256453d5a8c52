"""docs/teaching/answer-keys.md answers every question the labs and the guide ask.

Each lab page's "Questions to discuss" and each checkpoint question of the lecturer's
guide must appear in the key, under its lab, word for word; the files the answers point
at must exist. Static, well under a second.
"""

from __future__ import annotations

import re

import pytest

from medallion.settings import load_settings

HOME = load_settings().home
KEY = HOME / "docs" / "teaching" / "answer-keys.md"
GUIDE = HOME / "docs" / "teaching" / "lecturer-guide.md"


def words(text: str) -> str:
    """Text as one line with single spaces: pages and key may wrap lines differently."""
    return " ".join(text.replace("**", "").split())


def discussion_questions(page) -> list[str]:
    section = page.read_text(encoding="utf-8").split("## Questions to discuss", 1)[1]
    section = section.split("\n## ", 1)[0]
    items = [words(item) for item in re.split(r"^- ", section, flags=re.MULTILINE)[1:]]
    # A hint in brackets at the end is for the participant; the key need not repeat it.
    return [re.sub(r"\s*\((?:[^()]|\([^()]*\))*\)$", "", item) for item in items]


def key_section(title: str) -> str:
    text = KEY.read_text(encoding="utf-8")
    return text.split(f"\n## {title}", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_every_discussion_question_of_the_lab_is_answered(number):
    page = HOME / "docs" / "labs" / f"lab{number}" / "README.md"
    questions = discussion_questions(page)
    assert len(questions) >= 3, f"{page} asks fewer than three questions"
    section = words(key_section(f"Lab {number} "))
    missing = [question for question in questions if question not in section]
    assert not missing, f"not answered in {KEY.name} under Lab {number}: {missing}"


def test_the_three_checkpoint_questions_are_answered():
    guide = GUIDE.read_text(encoding="utf-8").split("### Checkpoint questions", 1)[1]
    asked = re.findall(r'^\| ("[^"]+") \| (`[^`]+`)', guide, flags=re.MULTILINE)
    assert len(asked) == 3
    section = words(key_section("The three checkpoint questions"))
    for question, command in asked:
        assert f"{question} — {command}" in section, question


def test_the_files_the_answers_name_exist():
    named = set(
        re.findall(
            r"`((?:spark|medallion|monitoring|airflow|dbt|data)/[^`\s]+)`",
            KEY.read_text(encoding="utf-8"),
        )
    )
    assert len(named) >= 6
    missing = [path for path in named if not (HOME / path).exists()]
    assert not missing, f"{KEY.name} names files that do not exist: {missing}"


def test_the_guide_links_the_key():
    assert "](answer-keys.md)" in GUIDE.read_text(encoding="utf-8")
