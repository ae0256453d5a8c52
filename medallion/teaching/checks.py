"""The result of one environment check, and how it prints.

Every check of `python -m medallion.teaching.env_check` is a small function returning a
`CheckResult`: a status, what was found, and — unless the status is ok — what to do. The
printed line is the whole message a participant needs, so a lecturer can read it over a
shoulder: `[fail] java: no `java` on the PATH and JAVA_HOME is not set. Fix: ...`.
"""

from __future__ import annotations

from dataclasses import dataclass

OK = "ok"
WARN = "warn"
FAIL = "fail"


@dataclass(frozen=True)
class CheckResult:
    """One line of the environment check: `name` is the thing checked."""

    name: str
    status: str
    found: str
    fix: str = ""

    def line(self) -> str:
        text = f"[{self.status}]".ljust(7) + f"{self.name}: {self.found}"
        return f"{text}. Fix: {self.fix}" if self.fix else text


def ok(name: str, found: str) -> CheckResult:
    return CheckResult(name, OK, found)


def warn(name: str, found: str, fix: str) -> CheckResult:
    return CheckResult(name, WARN, found, fix)


def fail(name: str, found: str, fix: str) -> CheckResult:
    return CheckResult(name, FAIL, found, fix)
