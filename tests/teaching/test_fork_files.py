"""A fork's GitHub files against the tree: workflows, pre-commit hooks, job summaries.

actionlint and zizmor check the workflow files themselves (`make lint`); these tests
check what they cannot know: that the workflows call targets and tests that exist, that
the pre-commit hooks run exactly the linters of `make lint` from .venv, and that the labs
workflow's summary is made from `make check-lab`'s real results. Static: under a second.
"""

from __future__ import annotations

import re
import shlex
import shutil

import yaml

from medallion.settings import load_settings
from medallion.teaching.checks import fail, ok, warn
from medallion.teaching.labs import get_lab
from medallion.teaching.labs.job_summary import markdown_summary

HOME = load_settings().home
WORKFLOWS = HOME / ".github" / "workflows"


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def run_lines(document: dict) -> list[str]:
    return [
        line.strip()
        for job in document["jobs"].values()
        for step in job["steps"]
        for line in step.get("run", "").splitlines()
        if line.strip()
    ]


def lint_commands() -> list[str]:
    """The commands of the Makefile's lint recipe, one per line."""
    text = (HOME / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", text, flags=re.MULTILINE).group(1)
    return [line.strip() for line in recipe.splitlines()]


def test_push_runs_lint_and_tests_that_exist_pull_requests_the_full_run():
    ci = workflow("ci.yml")
    lines = run_lines(ci)
    assert "make lint" in lines and ".ci/run" in lines
    pytest_line = next(line for line in lines if line.startswith(".venv/bin/pytest"))
    paths = [word for word in shlex.split(pytest_line) if word.startswith("tests/")]
    missing = [path for path in paths if not (HOME / path).exists()]
    assert paths and not missing, f"ci.yml runs tests that do not exist: {missing}"
    jobs = {job["if"]: job for job in ci["jobs"].values()}
    assert ".ci/run" in str(jobs["github.event_name == 'pull_request'"]["steps"])
    assert "make lint" in str(jobs["github.event_name == 'push'"]["steps"])


def test_the_labs_workflow_checks_the_branch_lab_start_makes():
    labs = workflow("labs.yml")
    # yaml reads the key `on` as True
    assert labs[True]["push"]["branches"] == ["lab-*"]
    assert any(line.startswith("make check-lab") and "SUMMARY=" in line for line in run_lines(labs))
    from medallion.teaching.labs.lab_branch import branch_name

    assert all(branch_name(number).startswith("lab-") for number in (1, 2, 3, 4))


def test_pre_commit_runs_the_linters_of_make_lint_from_the_venv():
    config = yaml.safe_load((HOME / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]  # nothing fetched
    hooks = config["repos"][0]["hooks"]
    programs = set()
    for hook in hooks:
        assert hook["language"] == "system", hook["id"]
        entry = shlex.split(hook["entry"])
        assert entry[0].startswith(".venv/bin/"), f"{hook['id']} does not run from .venv"
        programs.add((entry[0].removeprefix(".venv/bin/"), *entry[1:3]))
    in_make_lint = {tuple(shlex.split(command)[:3]) for command in lint_commands()}
    linters = {command[0] for command in in_make_lint}
    hooked = {program[0] for program in programs}
    assert linters <= hooked, f"make lint runs {sorted(linters - hooked)}, no hook does"
    assert shutil.which("actionlint", path=str(HOME / ".venv" / "bin")), "make setup installs it"


def test_the_job_summary_is_a_table_of_the_real_milestones():
    lab = get_lab(1)
    results = [
        ok("milestone 1: the ingest runs", "53 rows written"),
        fail("milestone 2: every row | counted", "52 of 53", "read `spark/jobs/x.py`\nagain"),
        warn("milestone 3: metrics", "no Pushgateway", "make monitor"),
    ]
    summary = markdown_summary(lab, results).splitlines()
    assert summary[0] == f"## Lab 1: {lab.title}"
    assert "**2 of 3 milestones pass.**" in summary
    rows = [line for line in summary if re.match(r"\| milestone \d", line)]
    assert len(rows) == 3
    # A `|` in a message is escaped and a line break folded, so each row keeps 4 cells.
    assert all(len(re.split(r"(?<!\\)\|", row)) == 6 for row in rows), rows
    assert "❌ fail" in rows[1] and "read `spark/jobs/x.py` again" in rows[1]


def test_the_workflows_use_a_python_the_project_supports():
    from medallion.teaching.toolchain_checks import _satisfies, requires_python

    specifier = requires_python(HOME / "pyproject.toml")
    versions = []
    for name in ("ci.yml", "labs.yml"):
        for job in workflow(name)["jobs"].values():
            for step in job["steps"]:
                if "setup-python" in step.get("uses", ""):
                    versions.append(step["with"]["python-version"])
            if "container" in job:
                versions.append(re.search(r"python:(\d+\.\d+)", job["container"]).group(1))
    assert len(versions) >= 3
    for version in versions:
        major, minor = (int(part) for part in version.split("."))
        assert _satisfies((major, minor), specifier), f"Python {version} is not {specifier}"
