"""docs/teaching/*.md against the tree: links, make targets, modules, scenarios and the
error messages quoted in the lecturer's guide all exist, so the guide cannot drift."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from medallion.faults.catalog import SCENARIOS
from medallion.settings import load_settings

HOME = load_settings().home
TEACHING = HOME / "docs" / "teaching"
GUIDE = TEACHING / "lecturer-guide.md"


def guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def makefile_targets() -> set[str]:
    text = (HOME / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", text, flags=re.MULTILINE))


def roadblock_messages() -> list[str]:
    """The quoted messages of the roadblocks table: first code span of each row."""
    section = guide_text().split("## Common roadblocks", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [re.match(r"\| `([^`]+)`", row).group(1) for row in rows]


def searchable_sources() -> list[Path]:
    """The project's code and the installed Airflow and PySpark, where messages come from."""
    roots = [HOME / folder for folder in ("medallion", "spark", "monitoring")]
    files = [path for root in roots for path in root.rglob("*.py")] + [HOME / "Makefile"]
    for package in ("airflow", "pyspark"):
        origin = Path(importlib.util.find_spec(package).origin).parent
        files += list(origin.rglob("*.py")) + list(origin.rglob("*.json"))
    return files


@pytest.mark.parametrize("page", sorted(TEACHING.glob("*.md")), ids=lambda path: path.name)
def test_every_relative_link_points_at_a_file(page):
    links = re.findall(r"\]\(((?!https?:)[^)#]+)", page.read_text(encoding="utf-8"))
    missing = [link for link in links if not (page.parent / link).resolve().exists()]
    assert not missing, f"{page.name} links to missing files: {missing}"


def test_every_make_target_in_the_guide_exists():
    # In code: after a backtick, or at the start of a line of a code block.
    named = set(re.findall(r"(?:`|^)make ([a-z][a-z-]*)", guide_text(), flags=re.MULTILINE))
    targets = makefile_targets()
    assert {"lab-start", "check-lab", "lab-solution"} <= named
    assert named <= targets, f"not in the Makefile: {sorted(named - targets)}"


def test_every_python_module_in_the_guide_exists():
    modules = set(re.findall(r"python -m ([a-z_]+(?:\.[a-z_]+)*)", guide_text()))
    assert "medallion.teaching.env_check" in modules
    missing = [module for module in modules if importlib.util.find_spec(module) is None]
    assert not missing


def test_every_break_scenario_in_the_guide_exists():
    named = set(re.findall(r"SCENARIO=([a-z-]+)", guide_text()))
    named |= set(
        re.findall(r"`(late-data|schema-drift|crash-mid-write|[a-z]+-down)`", guide_text())
    )
    assert {"corrupt-file", "duplicate-delivery", "network-timeout"} <= named
    assert named <= set(SCENARIOS), f"unknown scenarios: {sorted(named - set(SCENARIOS))}"


def test_the_labs_of_the_issue_with_their_durations():
    text = guide_text()
    for lab in ["Lab 0 — environment check", "Lab 1 — Extract & Load to bronze (45 min)",
                "Lab 2 — Transform with dbt (45 min)", "Lab 3 — Orchestrate & Monitor (45 min)",
                "Lab 4 — Break it! (30 min)"]:  # fmt: skip
        assert lab in text, f"the day's plan lost {lab!r}"


def test_every_quoted_error_message_is_real():
    messages = roadblock_messages()
    assert len(messages) >= 12
    sources = [path.read_text(encoding="utf-8", errors="replace") for path in searchable_sources()]
    made_up = [message for message in messages if not any(message in text for text in sources)]
    assert not made_up, f"messages found nowhere in the code: {made_up}"
