"""Running one committed checkpoint on a DataFrame, and reading what it found."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from medallion.quality.project import (
    DATA_DOCS_SITE,
    data_docs_index,
    get_context,
    gx_project_dir,
)
from medallion.quality.results import FailedExpectation, failures_of

if TYPE_CHECKING:
    import pandas as pd

# Data Docs rebuild their index from every stored result at each run (about 4 ms per
# result), so old results are pruned: per check, the newest run of each of the latest
# KEEP_DELIVERIES delivery dates stays.
KEEP_DELIVERIES = 7


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one checkpoint run: counts, failures, and its Data Docs page."""

    check: str
    evaluated: int
    passed: int
    failures: list[FailedExpectation]
    data_docs_page: str


def run_check(check: str, frame: pd.DataFrame, ds: str, parameters: dict) -> CheckOutcome:
    """Validate `frame` with the checkpoint named `check`; Data Docs are updated on the way.

    `parameters` fill the suite's `{"$PARAMETER": ...}` placeholders. The run is named
    after the delivery date, so Data Docs list results by `ingest_date=<ds>`.
    """
    from great_expectations.core.run_identifier import RunIdentifier

    context = get_context()
    prune_old_results(check)
    checkpoint = context.checkpoints.get(check)
    run_id = RunIdentifier(run_name=f"ingest_date={ds}", run_time=datetime.now(UTC))
    result = checkpoint.run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=parameters,
        run_id=run_id,
    )
    # Each of our checkpoints holds exactly one validation definition.
    ((result_key, validation),) = result.run_results.items()
    statistics = validation.statistics
    return CheckOutcome(
        check=check,
        evaluated=statistics["evaluated_expectations"],
        passed=statistics["successful_expectations"],
        failures=failures_of(validation),
        data_docs_page=_data_docs_page(context, result_key),
    )


def _data_docs_page(context, result_key) -> str:
    """The file path of the Data Docs page of one validation result (GX gives a URL)."""
    for site in context.get_docs_sites_urls(
        resource_identifier=result_key, site_names=[DATA_DOCS_SITE]
    ):
        if site.get("site_url"):
            return unquote(urlparse(site["site_url"]).path)
    return str(data_docs_index())


def prune_old_results(check: str) -> None:
    """Delete a check's stored results and Data Docs pages that are no longer current.

    Results are stored as `<check as folders>/ingest_date=<ds>/<run time>/...` in both
    the validation results store and the Data Docs site (see great_expectations.yml).
    """
    uncommitted = gx_project_dir() / "uncommitted"
    check_path = check.replace(".", "/")
    for root in (
        uncommitted / "validations",
        uncommitted / "data_docs" / DATA_DOCS_SITE / "validations",
    ):
        deliveries = sorted((root / check_path).glob("ingest_date=*"))
        for stale_delivery in deliveries[:-KEEP_DELIVERIES]:
            shutil.rmtree(stale_delivery)
        for delivery in deliveries[-KEEP_DELIVERIES:]:
            for earlier_run in sorted(delivery.iterdir())[:-1]:
                shutil.rmtree(earlier_run)
