"""The slide deck against the tree, as the lecturer's guide is (test_lecturer_guide.py).

Every make target, module, file and picture docs/teaching/slides/slides.md names exists;
every output it quotes is made of text the code really prints; it has a section for each
of the guide's theory blocks. The last test builds the deck with the pinned Marp
(`make slides` installs it; .ci/run does so before the tests) and reads the HTML.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess

import pytest

from medallion.faults.catalog import SCENARIOS
from medallion.settings import load_settings

HOME = load_settings().home
SLIDES = HOME / "docs" / "teaching" / "slides"
DECK = SLIDES / "slides.md"
MARP = SLIDES / "node_modules" / ".bin" / "marp"
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", flags=re.MULTILINE | re.DOTALL)


def deck() -> str:
    return DECK.read_text(encoding="utf-8")


def blocks(tag: str) -> list[str]:
    return [
        line for found, body in _BLOCK.findall(deck()) if found == tag for line in body.splitlines()
    ]


def sources() -> list[str]:
    roots = [HOME / folder for folder in ("medallion", "spark", "monitoring")]
    return [path.read_text(encoding="utf-8") for root in roots for path in root.rglob("*.py")]


def slide_count(markdown: str) -> int:
    body = markdown.split("\n---\n", 1)[1]  # after the front matter
    return len(re.findall(r"^---$", body, flags=re.MULTILINE)) + 1


def test_every_command_runs_a_target_a_scenario_or_a_module_that_exists():
    makefile = (HOME / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))
    commands = [line for line in blocks("bash") if line.strip()]
    assert len(commands) >= 10
    for command in commands:
        program, *words = command.split()
        if program == "make":
            assert words[0] in targets, command
        elif program == "medallion":
            assert words[0] in ("summary",), command
        elif program != "ls":
            pytest.fail(f"the slides run a command the test does not know: {command}")
    for scenario in re.findall(r"SCENARIO=([a-z-]+)", deck()):
        assert scenario in SCENARIOS, scenario


def test_every_file_and_picture_exists():
    named = set(
        re.findall(r"`((?:spark|medallion|monitoring|airflow|dbt|data|docs)/[^`\s]+)`", deck())
    )
    assert len(named) >= 10
    missing = [path for path in named if not (HOME / path).exists()]
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", deck())
    assert {"../images/architecture.svg", "../images/one-date-through-the-layers.svg"} <= set(
        pictures
    )
    missing += [picture for picture in pictures if not (SLIDES / picture).exists()]
    assert not missing, f"slides.md names what does not exist: {missing}"
    assert importlib.util.find_spec("medallion.summary")


def test_every_quoted_output_is_printed_by_the_code():
    lines = blocks("text")
    assert len(lines) >= 3
    code = sources()
    for line in lines:
        # Numbers, dates, dataset and table names and elisions vary from run to run.
        fragments = re.split(r"\S*\d\S*|ecommerce(?:\.\w+)?|\.\.\.", line)
        for fragment in (piece.strip() for piece in fragments):
            if len(fragment) >= 4:
                assert any(fragment in text for text in code), f"{fragment!r} of {line!r}"


def test_the_deck_has_the_guides_theory_blocks():
    guide = (HOME / "docs" / "teaching" / "lecturer-guide.md").read_text(encoding="utf-8")
    theory = guide.split("## Morning: the theory blocks", 1)[1].split("\n## ", 1)[0]
    titles = re.findall(r"^### (\d\. .+?) \(\d+ min\)$", theory, flags=re.MULTILINE)
    assert len(titles) == 4
    missing = [title for title in titles if f"\n# {title}\n" not in deck()]
    assert not missing, f"no slide for the guide's blocks {missing}"


def test_the_deck_builds_with_the_pinned_marp(tmp_path):
    if not MARP.exists():
        pytest.skip("Marp is not installed: `make slides` installs it (npm ci) and builds")
    built = tmp_path / "slides.html"
    subprocess.run(
        [str(MARP), "--html", "--allow-local-files", str(DECK), "-o", str(built)],
        cwd=SLIDES,
        check=True,
        capture_output=True,
        timeout=120,
    )
    html = built.read_text(encoding="utf-8")
    assert len(re.findall(r"<section id=\"\d+\"", html)) == slide_count(deck())
    for picture in ("architecture.svg", "one-date-through-the-layers.svg"):
        assert picture in html
    assert "ingest_date=2026-11-01" in html and "<h1" in html
