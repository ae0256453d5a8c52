"""A lab's own git branch, whose history holds the starter files and not the solution.

The project's committed files are the labs' solutions (the morning's demo runs them). If
`make lab-start` only copied the starter files over them, `git diff` would show a
participant the whole solution as lines they "removed", and `git log -p` would show it in
every commit that touched those files. So `make lab-start N=1` also moves the working
copy to a branch `lab-1` whose only commit is the project as the lab starts: every file
as it was, except the lab's files, which are the starter copies. On that branch

    git diff        shows the participant's own edits, nothing else;
    git log -p      shows that one starter commit, then the participant's commits.

Nothing in the working tree changes (only HEAD and the index move); edits to other
files stay as they were. The solution waits outside git, in the ignored `.labs/solution/`,
until `make lab-solution`. The branch `lab-1` is also what a fork's labs workflow checks
(.github/workflows/labs.yml). `git switch <the branch you were on>` returns to the course's
history (lab-start prints its name).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# Who the starter commit is by when git has no user.name / user.email configured.
_FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "medallion-lab",
    "GIT_AUTHOR_EMAIL": "labs@medallion-lab.invalid",
    "GIT_COMMITTER_NAME": "medallion-lab",
    "GIT_COMMITTER_EMAIL": "labs@medallion-lab.invalid",
}


def branch_name(number: int) -> str:
    return f"lab-{number}"


def _git(home: Path, *args: str, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(
        ["git", *args], cwd=home, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {home}: {completed.stderr.strip()}")
    return completed.stdout.strip()


def is_work_tree_root(home: Path) -> bool:
    """True when `home` is the top folder of a git working copy (not just inside one)."""
    completed = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=home, capture_output=True, text=True
    )
    return completed.returncode == 0 and Path(completed.stdout.strip()) == home.resolve()


def current_branch(home: Path) -> str:
    """The checked-out branch, or "" when HEAD is detached."""
    completed = subprocess.run(
        ["git", "symbolic-ref", "--quiet", "--short", "HEAD"],
        cwd=home,
        capture_output=True,
        text=True,
    )
    return completed.stdout.strip() if completed.returncode == 0 else ""


def _identity(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    configured = subprocess.run(
        ["git", "config", "user.email"], cwd=home, capture_output=True, text=True
    )
    if not configured.stdout.strip():
        env.update(_FALLBACK_IDENTITY)
    return env


def starter_commit(home: Path, number: int, starters: dict[str, Path]) -> str:
    """Write a parentless commit: HEAD's tree with `starters` (relative path -> file) in it."""
    index = home / ".labs" / f"lab{number}.index"
    index.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}
    try:
        _git(home, "read-tree", "HEAD", env=env)
        for relative, starter in starters.items():
            blob = _git(home, "hash-object", "-w", "--", str(starter))
            _git(home, "update-index", "--add", "--cacheinfo", f"100644,{blob},{relative}", env=env)
        tree = _git(home, "write-tree", env=env)
    finally:
        index.unlink(missing_ok=True)
    message = (
        f"Lab {number} starter (make lab-start N={number})\n\n"
        f"The project with lab {number}'s files as the starter copies of "
        f"docs/labs/lab{number}/starter/.\n"
    )
    return _git(home, "commit-tree", tree, "-m", message, env=_identity(home))


def move_to_lab_branch(home: Path, number: int, starters: dict[str, Path]) -> list[str]:
    """Put the working copy on branch lab-N (see the module docstring). Lines to print.

    Already on lab-N: nothing to do. A lab-N branch from an earlier start is kept under
    another name (lab-N-before-<its commit>), never deleted.
    """
    if not is_work_tree_root(home):
        return [f"git: {home} is not the top of a git working copy, so no lab branch was made"]
    branch = branch_name(number)
    if current_branch(home) == branch:
        return [f"git: already on branch {branch}"]
    lines = []
    existing = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
        cwd=home,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if existing:
        kept = f"{branch}-before-{existing[:8]}"
        _git(home, "branch", "-m", branch, kept)
        lines.append(f"git: your earlier branch {branch} is kept as {kept}")
    previous = current_branch(home) or _git(home, "rev-parse", "--short", "HEAD")
    commit = starter_commit(home, number, starters)
    _git(home, "branch", branch, commit)
    _git(home, "symbolic-ref", "-m", f"make lab-start N={number}", "HEAD", f"refs/heads/{branch}")
    # The index follows the new HEAD; the working tree is left exactly as it is.
    _git(home, "read-tree", "HEAD")
    lines.append(
        f"git: now on branch {branch}, one commit holding the starter files, so `git diff` "
        f"shows only your edits (`git switch {previous}` goes back to the course's history)"
    )
    return lines
