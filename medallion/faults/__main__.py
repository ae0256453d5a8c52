"""`python -m medallion.faults SCENARIO [--variant V] [--ds YYYY-MM-DD]` (make break)."""

from __future__ import annotations

import argparse
import sys
import textwrap
from datetime import date, timedelta

from medallion.faults.catalog import SCENARIOS, Scenario
from medallion.settings import load_settings


def latest_delivery_date(before_latest: bool = False) -> str:
    """The newest date with an orders delivery in the landing zone (or the one before)."""
    folder = load_settings().landing_dir / "ecommerce" / "orders"
    dates = sorted(path.name for path in folder.glob("????-??-??")) if folder.exists() else []
    needed = 2 if before_latest else 1
    if len(dates) < needed:
        sys.exit(f"This scenario needs {needed} e-commerce delivery days: run `make demo` first.")
    return dates[-needed]


def inject(scenario: Scenario, variant: str | None, ds: str) -> list[str]:
    if variant is not None and variant not in scenario.variants:
        sys.exit(f"{scenario.name} has the variants {sorted(scenario.variants)}, not {variant!r}")
    chosen = [variant] if variant else list(scenario.variants)
    return [change for name in chosen for change in scenario.variants[name](ds)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--variant", help="one fault of the scenario (default: all of them)")
    parser.add_argument("--ds", help="delivery date to break (default: the latest one)")
    args = parser.parse_args(argv)
    scenario = SCENARIOS[args.scenario]
    ds = args.ds or (
        latest_delivery_date(scenario.breaks_day_before_latest) if scenario.needs_date else ""
    )
    previous = str(date.fromisoformat(ds) - timedelta(days=1)) if ds else ""
    following = str(date.fromisoformat(ds) + timedelta(days=1)) if ds else ""
    try:
        changes = inject(scenario, args.variant, ds)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        sys.exit(
            f"{scenario.name} could not break the deliveries of {ds}: {error}\n"
            f"Start from a clean state: make reset && make demo"
        )

    def text(template: str) -> str:
        filled = template.format(ds=ds, previous=previous, following=following)
        indent = " " * 16
        return textwrap.fill(filled, 100, initial_indent=indent, subsequent_indent=indent).lstrip()

    print(f"\n{scenario.name}: broke {text(scenario.breaks)}")
    for change in changes:
        print(f"  - {change}")
    print(f"\nNow run:        {text(scenario.run)}")
    print(f"The pipeline:   {text(scenario.pipeline_does)}")
    print(f"You will see:   {text(scenario.you_see)}")
    print(f"To recover:     {text(scenario.recover)}")
    print("Clean slate:    make reset && make demo\n")


if __name__ == "__main__":
    main()
