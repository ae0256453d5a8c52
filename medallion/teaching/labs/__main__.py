"""python -m medallion.teaching.labs start|check|solution N (what the make targets run)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from medallion.settings import load_settings
from medallion.teaching.labs import get_lab
from medallion.teaching.labs.base import LabContext, passed, restore_solution, run_milestones, start
from medallion.teaching.labs.job_summary import markdown_summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m medallion.teaching.labs")
    parser.add_argument("action", choices=["start", "check", "solution"])
    parser.add_argument("number", type=int, help="the lab: 1, 2, 3 or 4")
    parser.add_argument(
        "--again",
        action="store_true",
        help="start: start over even if you edited the lab's files (they are backed up first)",
    )
    parser.add_argument(
        "--summary",
        type=Path,
        help="check: also append the milestones as a Markdown table to this file",
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    lab = get_lab(args.number)
    print(f"Lab {lab.number}: {lab.title}", flush=True)
    if args.action == "start":
        print("\n".join(start(lab, settings.home, again=args.again)))
        print(
            f"Read {lab.folder}/README.md, then `make check-lab N={lab.number}` to see where you are."
        )
        return 0
    if args.action == "solution":
        print("\n".join(restore_solution(lab, settings.home)))
        return 0
    results = run_milestones(lab, LabContext(settings.home, settings.data_dir))
    for result in results:
        print(result.line(), flush=True)
    if args.summary:
        with args.summary.open("a", encoding="utf-8") as summary:
            summary.write(markdown_summary(lab, results))
    done = sum(result.status != "fail" for result in results)
    print(
        f"{done} of {len(results)} milestones pass" + ("." if passed(results) else "; keep going.")
    )
    return 0 if passed(results) else 1


if __name__ == "__main__":
    sys.exit(main())
