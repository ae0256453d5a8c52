"""A lab's milestones as a Markdown table, for the job summary of a fork's labs workflow.

`python -m medallion.teaching.labs check 1 --summary "$GITHUB_STEP_SUMMARY"` appends it
(.github/workflows/labs.yml): the participant opens the workflow run on GitHub and sees
each milestone passed or failed, with the fix, as graded exercise templates show them.
"""

from __future__ import annotations

from medallion.teaching.checks import FAIL, OK, CheckResult
from medallion.teaching.labs.base import Lab

_ICONS = {OK: "✅ pass", FAIL: "❌ fail"}


def _cell(text: str) -> str:
    """Table cells hold one line, and a `|` would end the cell early."""
    return " ".join(text.split()).replace("|", "\\|")


def markdown_summary(lab: Lab, results: list[CheckResult]) -> str:
    done = sum(result.status != FAIL for result in results)
    lines = [
        f"## Lab {lab.number}: {lab.title}",
        "",
        f"**{done} of {len(results)} milestones pass.**",
        "",
        "| milestone | result | what was found | what to do |",
        "|---|---|---|---|",
    ]
    for result in results:
        status = _ICONS.get(result.status, "⚠️ warn")
        lines.append(
            f"| {_cell(result.name)} | {status} | {_cell(result.found)} | {_cell(result.fix)} |"
        )
    return "\n".join(lines) + "\n"
