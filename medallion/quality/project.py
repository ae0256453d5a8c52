"""Where the Great Expectations project lives, and how its parts are named.

Every suite, validation definition and checkpoint of a gate share one name,
`<check>.<dataset>.<table>`, for example `silver.ecommerce.orders`. The `<check>` says
which kind of frame is validated (the data asset of great_expectations.yml):

| check                   | the frame                                                    |
|-------------------------|--------------------------------------------------------------|
| `bronze`                | one bronze partition                                         |
| `silver`                | one silver partition, plus business-rule columns             |
| `silver_reconciliation` | one row of counts: bronze, silver and quarantine of a delivery |
| `gold`                  | one gold mart (its table is the mart's name)                 |

GX stores a suite named `silver.ecommerce.orders` as
`expectations/silver/ecommerce/orders.json`; validation definitions and checkpoints
keep the dotted name as their file name.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from pathlib import Path

from medallion.settings import load_settings

CHECKS = ("bronze", "silver", "silver_reconciliation", "gold")
DATASOURCE = "lake"
BATCH_DEFINITION = "whole_dataframe"
DATA_DOCS_SITE = "local_site"

# Committed files need ids that do not change each time they are generated: derive them
# from the object's kind and name (uuid5) instead of drawing random ones.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "medallion-lab/great_expectations")


def gx_project_dir() -> Path:
    """The folder holding great_expectations.yml (never a Python package)."""
    return load_settings().home / "great_expectations"


def data_docs_index() -> Path:
    """The Data Docs start page, built by the checkpoints' update_data_docs action."""
    return gx_project_dir() / "uncommitted" / "data_docs" / DATA_DOCS_SITE / "index.html"


def check_name(check: str, dataset: str, table: str) -> str:
    """Name of the suite, validation definition and checkpoint of one check."""
    if check not in CHECKS:
        raise ValueError(f"unknown check {check!r}; expected one of {CHECKS}")
    return f"{check}.{dataset}.{table}"


def stable_id(kind: str, name: str) -> str:
    """A fixed UUID for a GX object, the same on every machine and every run."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"{kind}:{name}"))


def get_context():
    """The file Data Context of the project, shared by every gate of this process.

    Imports Great Expectations (3-5 s), so call it inside a task, never at import time.
    """
    return _context_for(gx_project_dir())


@lru_cache(maxsize=4)
def _context_for(project_dir: Path):
    import great_expectations as gx

    if not (project_dir / "great_expectations.yml").exists():
        raise FileNotFoundError(
            f"no great_expectations.yml in {project_dir}: is MEDALLION_HOME the repository root?"
        )
    return gx.get_context(mode="file", context_root_dir=project_dir)
