"""The afternoon's labs: starter states and self-checks (`make lab-start N`, `make check-lab N`).

Each lab lives in its own module (lab1.py ... lab4.py) and defines `LAB`; its document,
starter files and solution notes are in docs/labs/lab<N>/.
"""

from __future__ import annotations

from importlib import import_module

from medallion.teaching.labs.base import Lab

NUMBERS = (1, 2, 3, 4)


def get_lab(number: int) -> Lab:
    if number not in NUMBERS:
        raise SystemExit(f"there is no lab {number}: choose one of {', '.join(map(str, NUMBERS))}")
    return import_module(f"medallion.teaching.labs.lab{number}").LAB
