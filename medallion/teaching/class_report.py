"""The whole room's readiness: one line per laptop, pasted into the class chat.

`make check-env` ends with a line like

    medallion-ready v1 | Ada Lovelace | 10/12 ok | fail: dbt, airflow db | warn: airflow ui

that a participant pastes into the class chat. The lecturer copies the chat into a file
(or pipes it in) and runs

    make class-report FILE=chat.txt        or        make class-report < chat.txt

which lists every laptop, ready or not, with what fails, and the failures most laptops
share (fix those for the whole room at once). A laptop that reported twice counts with
its last line: participants re-run the check after fixing. Chat programs add names and
times in front of a message; the report line is found anywhere in a line.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from medallion.teaching.checks import FAIL, OK, WARN, CheckResult

MARK = "medallion-ready v1"
_LINE = re.compile(
    re.escape(MARK) + r" \| (?P<who>[^|]+?) \| (?P<ok>\d+)/(?P<total>\d+) ok"
    r" \| fail: (?P<fail>[^|]*?) \| warn: (?P<warn>[^|]*?)\s*$"
)


@dataclass(frozen=True)
class Laptop:
    """One participant's pasted line: who, and the names of the checks that failed/warned."""

    who: str
    ok: int
    total: int
    failed: tuple[str, ...]
    warned: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.failed


def _names(results: Iterable[CheckResult], status: str) -> str:
    return (
        ", ".join(result.name.replace(",", " ") for result in results if result.status == status)
        or "-"
    )


def report_line(who: str, results: list[CheckResult]) -> str:
    """The line `make check-env` prints for the class chat."""
    who = " ".join(who.replace("|", " ").split()) or "unnamed"
    passed = sum(result.status == OK for result in results)
    return (
        f"{MARK} | {who} | {passed}/{len(results)} ok"
        f" | fail: {_names(results, FAIL)} | warn: {_names(results, WARN)}"
    )


def parse_line(text: str) -> Laptop | None:
    """The laptop of a pasted line, or None when the line holds no (whole) report."""
    match = _LINE.search(text[text.find(MARK) :]) if MARK in text else None
    if not match:
        return None

    def names(field: str) -> tuple[str, ...]:
        value = match.group(field).strip()
        return () if value == "-" else tuple(name.strip() for name in value.split(","))

    return Laptop(
        match.group("who"),
        int(match.group("ok")),
        int(match.group("total")),
        names("fail"),
        names("warn"),
    )


def read_chat(lines: Iterable[str]) -> tuple[dict[str, Laptop], list[int]]:
    """Laptops by participant (their last line wins) and the numbers of lines that carry
    the report's mark but could not be read (cut off or edited in the chat)."""
    laptops: dict[str, Laptop] = {}
    unreadable = []
    for number, line in enumerate(lines, start=1):
        if MARK not in line:
            continue
        laptop = parse_line(line)
        if laptop is None:
            unreadable.append(number)
        else:
            laptops[laptop.who] = laptop
    return laptops, unreadable


def class_report(laptops: dict[str, Laptop], unreadable: list[int], source: str) -> str:
    if not laptops:
        return (
            f"No readiness lines in {source}: each participant runs `make check-env` and "
            f"pastes its last line (it starts with '{MARK}')."
        )
    ready = [laptop for laptop in laptops.values() if laptop.ready]
    lines = [
        f"{len(laptops)} laptops reported: {len(ready)} ready, {len(laptops) - len(ready)} not ready"
    ]
    width = max(len(who) for who in laptops)
    for laptop in sorted(laptops.values(), key=lambda laptop: (laptop.ready, laptop.who)):
        state = "ready    " if laptop.ready else "NOT READY"
        detail = f"fail: {', '.join(laptop.failed)}" if laptop.failed else ""
        if laptop.warned:
            detail = f"{detail}{'; ' if detail else ''}warn: {', '.join(laptop.warned)}"
        lines.append(
            f"  {state}  {laptop.who.ljust(width)}  {laptop.ok}/{laptop.total} ok  {detail}".rstrip()
        )
    failures = Counter(name for laptop in laptops.values() for name in laptop.failed)
    if failures:
        lines.append("Failing checks, most laptops first (fix these with the whole room):")
        for name, count in failures.most_common():
            who = ", ".join(sorted(each.who for each in laptops.values() if name in each.failed))
            lines.append(f"  {name}: {count} ({who})")
    if unreadable:
        numbers = ", ".join(map(str, unreadable))
        lines.append(f"Lines {numbers} of {source} could not be read: ask for them again.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, help="the pasted chat (default: stdin)")
    args = parser.parse_args(argv)
    if args.file is None:
        text, source = sys.stdin.read(), "stdin"
    elif not args.file.is_file():
        raise SystemExit(f"{args.file}: no such file. Save the chat's lines there first.")
    else:
        text, source = args.file.read_text(encoding="utf-8", errors="replace"), str(args.file)
    laptops, unreadable = read_chat(text.splitlines())
    print(class_report(laptops, unreadable, source))
    return 0 if laptops else 1


if __name__ == "__main__":
    sys.exit(main())
