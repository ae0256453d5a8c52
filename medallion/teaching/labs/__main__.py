"""python -m medallion.teaching.labs start|check|solution N (what the make targets run)."""

from __future__ import annotations

import argparse
import sys

from medallion.settings import load_settings
from medallion.teaching.labs import get_lab
from medallion.teaching.labs.base import LabContext, passed, restore_solution, run_milestones, start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m medallion.teaching.labs")
    parser.add_argument("action", choices=["start", "check", "solution"])
    parser.add_argument("number", type=int, help="the lab: 1, 2, 3 or 4")
    args = parser.parse_args(argv)
    settings = load_settings()
    lab = get_lab(args.number)
    print(f"Lab {lab.number}: {lab.title}", flush=True)
    if args.action == "start":
        print("\n".join(start(lab, settings.home)))
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
    done = sum(result.status != "fail" for result in results)
    print(
        f"{done} of {len(results)} milestones pass" + ("." if passed(results) else "; keep going.")
    )
    return 0 if passed(results) else 1


if __name__ == "__main__":
    sys.exit(main())
