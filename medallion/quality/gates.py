"""The quality gates the DAG runs between layers.

    validate_bronze(dataset, table, ds)   after ingest_<table>, before refine_<table>
    validate_silver(dataset, table, ds)   after refine_<table> (orders: after order_items too)
    validate_gold(dataset, ds)            after dbt has built and exported the marts
    audit_and_publish(layer, ...)         what the DAG calls: the gate, then publication

Write - audit - publish: a gate checks the candidate its layer's job has just written
(medallion/lake.py), and only a passed gate publishes it for readers; a failed one leaves
readers the version published before, and its message says so.

A gate reads what it checks into a pandas DataFrame (pyarrow, no Spark), runs the
committed checkpoint(s) of great_expectations/ on it, rebuilds the Data Docs, writes a
GateResult record for monitoring and returns it. If any expectation fails it raises
GateFailedError, whose message names the table, date, failed expectations, columns,
unexpected counts and examples; the DAG turns it into an immediate task failure.

Importing this module is cheap; Great Expectations (3-5 s to import) is loaded by the
first gate that runs.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from medallion.contracts import Contract, load_contract
from medallion.quality.business_rules import add_business_columns
from medallion.quality.checkpoints import CheckOutcome, run_check
from medallion.quality.frames import (
    DEDUPLICATION_REASONS,
    REJECT_REASON,
    committed_marker,
    count_rows,
    read_mart,
    read_partition,
)
from medallion.quality.gold_suites import marts
from medallion.quality.project import check_name, data_docs_index
from medallion.quality.results import GateFailedError, GateResult, write_record
from medallion.quality.silver_totals import figure_parameters, silver_figures

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)
# Keys shown when de-duplication removed too much (see deduplication_note).
MAX_EXAMPLE_KEYS = 5


def audit_and_publish(layer: str, dataset: str, table: str, ds: str) -> GateResult:
    """Run the gate of `layer` on what its job wrote; publish it if the gate passes.

    bronze publishes the bronze partition; silver publishes silver and quarantine (the
    gate checks them together); gold publishes the warehouse and its exports (`table` is
    ignored for gold). A failed gate raises GateFailedError naming what readers still see.
    """
    from medallion.publication import kept_back, publish_gold, publish_partition

    validate = {
        "bronze": lambda: validate_bronze(dataset, table, ds),
        "silver": lambda: validate_silver(dataset, table, ds),
        "gold": lambda: validate_gold(dataset, ds),
    }[layer]
    try:
        result = validate()
    except GateFailedError as error:
        note = kept_back(layer, dataset, table, ds)
        raise GateFailedError(f"{error}\n{note}", error.result) from error
    audit = {
        "checks": result.checks,
        "expectations_passed": f"{result.passed}/{result.evaluated}",
        "rows": result.rows,
    }
    if layer == "gold":
        publish_gold(dataset, audit)
    else:
        for published_layer in ("silver", "quarantine") if layer == "silver" else (layer,):
            publish_partition(published_layer, dataset, table, ds, audit)
    return result


def validate_bronze(dataset: str, table: str, ds: str) -> GateResult:
    """Gate bronze: contract columns present, not empty, as many rows as the source had."""
    started = time.perf_counter()
    contract = load_contract(dataset, table)
    marker = committed_marker("bronze", contract, ds)
    if "source_rows" not in marker:
        raise KeyError(
            f"bronze.{dataset}.{table} {ds}: _COMMITTED.json has no 'source_rows' "
            "(the landing row count written by the ingest job); re-run the ingest."
        )
    bronze = read_partition("bronze", contract, ds)
    parameters = {
        "source_rows": int(marker["source_rows"]),
        "min_rows": 0 if contract.allow_empty else 1,
    }
    outcome = run_check(check_name("bronze", dataset, table), bronze, ds, parameters)
    return _finish("bronze", dataset, table, ds, [outcome], len(bronze), started)


def validate_silver(dataset: str, table: str, ds: str) -> GateResult:
    """Gate silver: the contract's rules, business rules, and silver + quarantine = bronze."""
    started = time.perf_counter()
    contract = load_contract(dataset, table)
    silver = read_partition("silver", contract, ds)
    silver = add_business_columns(silver, dataset, table, ds)
    now = datetime.now(UTC)
    # "Not in the future" compares like with like: a timestamp column with the time now,
    # a date column with today's date (GX cannot order a date against a timestamp).
    parameters = {"validation_time": now, "validation_date": now.date()}
    counts = delivery_counts(contract, ds, silver_rows=len(silver))
    outcomes = [
        run_check(check_name("silver", dataset, table), silver, ds, parameters),
        run_check(check_name("silver_reconciliation", dataset, table), counts, ds, {}),
    ]
    notes = []
    if counts.at[0, "deduplicated_share"] > contract.max_deduplicated_share:
        notes.append(deduplication_note(contract, ds, counts.to_dict("records")[0]))
    return _finish("silver", dataset, table, ds, outcomes, len(silver), started, notes)


def validate_gold(dataset: str, ds: str) -> GateResult:
    """Gate gold: every mart's grain is unique, and gold agrees with silver."""
    started = time.perf_counter()
    parameters = figure_parameters(silver_figures(dataset))
    outcomes, rows_by_mart = [], {}
    for mart in marts(dataset):
        frame = read_mart(dataset, mart.name)
        rows_by_mart[mart.name] = len(frame)
        outcomes.append(run_check(check_name("gold", dataset, mart.name), frame, ds, parameters))
    rows = sum(rows_by_mart.values())
    return _finish(
        "gold", dataset, "marts", ds, outcomes, rows, started, rows_by_table=rows_by_mart
    )


def delivery_counts(contract: Contract, ds: str, silver_rows: int) -> pd.DataFrame:
    """One row: how the bronze rows of a delivery split into silver and quarantine.

    `rejected_rows` are quarantined rows that broke a contract rule; duplicates and
    superseded versions are quarantined too but are expected of a source.
    """
    import pandas as pd

    # The bronze the refine job read: the published partition.
    bronze_rows = count_rows("bronze", contract, ds, published=True)
    reasons = read_partition("quarantine", contract, ds, columns=[REJECT_REASON])[REJECT_REASON]
    deduplicated = reasons.isin(DEDUPLICATION_REASONS)
    rejected_rows = int((~deduplicated).sum())
    counts = {
        "bronze_rows": bronze_rows,
        "silver_rows": silver_rows,
        "quarantined_rows": len(reasons),
        "silver_plus_quarantined_rows": silver_rows + len(reasons),
        "rejected_rows": rejected_rows,
        "rejected_share": rejected_rows / bronze_rows if bronze_rows else 0.0,
        **{f"{reason}_rows": int((reasons == reason).sum()) for reason in DEDUPLICATION_REASONS},
        "deduplicated_rows": int(deduplicated.sum()),
        "deduplicated_share": int(deduplicated.sum()) / bronze_rows if bronze_rows else 0.0,
    }
    return pd.DataFrame([counts])


def deduplication_note(contract: Contract, ds: str, counts: dict) -> str:
    """Why de-duplication removed too much: the key, the counts, the keys removed most.

    The keys are read back from the quarantine, where every removed row is kept as
    delivered: a key repeated thousands of times is a column that is no key at all.
    """
    key = list(contract.primary_key)
    removed = read_partition("quarantine", contract, ds, columns=[*key, REJECT_REASON])
    removed = removed[removed[REJECT_REASON].isin(DEDUPLICATION_REASONS)]
    most_removed = removed.groupby(key, dropna=False).size().nlargest(MAX_EXAMPLE_KEYS)
    examples = ", ".join(
        f"{_key_text(key, values)} ({rows:,} row{'s' if rows > 1 else ''})"
        for values, rows in most_removed.items()
    )
    by_reason = ", ".join(
        f"{counts[f'{reason}_rows']:,} {reason}" for reason in DEDUPLICATION_REASONS
    )
    return (
        f"De-duplication on the primary key {key} removed {counts['deduplicated_rows']:,} of "
        f"{counts['bronze_rows']:,} bronze rows ({counts['deduplicated_share']:.1%}; {by_reason}); "
        f"the contract allows {contract.max_deduplicated_share:.0%} (max_deduplicated_share). "
        f"Keys removed most often: {examples}. Is the key right (data/contracts/"
        f"{contract.dataset}/{contract.table}.yml), or was a file delivered several times?"
    )


def _key_text(key: list[str], values) -> str:
    """{'order_id': 'o-01'}: pandas groups by one column as a value, by several as a tuple."""
    values = values if isinstance(values, tuple) else (values,)
    return str(dict(zip(key, values, strict=True)))


def _finish(
    layer: str,
    dataset: str,
    table: str,
    ds: str,
    outcomes: list[CheckOutcome],
    rows: int,
    started: float,
    notes: list[str] | None = None,
    rows_by_table: dict[str, int] | None = None,
) -> GateResult:
    """Combine the checkpoints' outcomes, record them, and fail loudly if any failed."""
    failed_pages = [outcome.data_docs_page for outcome in outcomes if outcome.failures]
    result = GateResult(
        layer=layer,
        dataset=dataset,
        table=table,
        ingest_date=ds,
        evaluated=sum(outcome.evaluated for outcome in outcomes),
        passed=sum(outcome.passed for outcome in outcomes),
        rows=rows,
        duration_seconds=round(time.perf_counter() - started, 3),
        checks=[outcome.check for outcome in outcomes],
        data_docs=failed_pages or [str(data_docs_index())],
        failures=[failure for outcome in outcomes for failure in outcome.failures],
        notes=notes or [],
        rows_by_table=rows_by_table or {table: rows},
    )
    write_record(result)
    if not result.success:
        raise GateFailedError(result.failure_message(), result)
    log.info(
        "%s gate passed for %s.%s, delivery %s: %d/%d expectations on %s rows in %.1f s. "
        "Data Docs: %s",
        layer, dataset, table, ds, result.passed, result.evaluated, f"{rows:,}",
        result.duration_seconds, result.data_docs[0],
    )  # fmt: skip
    return result
