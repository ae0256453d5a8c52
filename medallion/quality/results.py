"""What a gate found, as a record for monitoring and as a message for a person.

Every gate run writes one JSON record (a GateResult) to
`data/lake/_gates/<dataset>/<layer>/<table>/ingest_date=<ds>.json`, failed or not; the
monitoring module pushes these as metrics. A failed gate also raises GateFailedError,
whose message says what broke and where to look.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from medallion.errors import DataError
from medallion.settings import load_settings

MAX_EXAMPLES = 5
LAYER_ORDER = ("bronze", "silver", "gold")
# Keyword arguments that say which column an expectation looks at, or how GX reports
# it; the others (bounds, value sets) are worth showing in a failure message.
_DOMAIN_KWARGS = {"column", "column_list", "column_A", "column_B", "batch_id", "result_format"}


class GateFailedError(DataError):
    """A quality gate found bad data. Permanent: retrying cannot fix it, so inside
    `medallion.errors.fail_fast_on_data_errors()` it fails the task at once."""

    def __init__(self, message: str, result: GateResult):
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class FailedExpectation:
    """One expectation that did not hold, with what it saw."""

    check: str
    expectation: str
    columns: list[str]
    arguments: dict
    description: str | None
    unexpected_count: int | None
    element_count: int | None
    examples: list[str]
    observed: str | None
    error: str | None

    def describe(self) -> str:
        """What was expected of which column, and what was found (then why, if known)."""
        where = f" on {', '.join(self.columns)}" if self.columns else ""
        arguments = ", ".join(f"{key}={value}" for key, value in self.arguments.items())
        expected = f"{self.expectation}{where}" + (f" ({arguments})" if arguments else "")
        if self.error:
            found = f"could not run: {self.error}"
        elif self.expectation == "expect_column_to_exist":
            found = "the column is missing"
        elif self.unexpected_count is not None:
            found = f"{self.unexpected_count:,} of {self.element_count or 0:,} rows unexpected"
            if self.examples:
                found += ", e.g. " + ", ".join(self.examples)
        else:
            found = f"observed {self.observed}"
        why = f"\n      ({self.description})" if self.description else ""
        return f"{expected}: {found}{why}"


@dataclass
class GateResult:
    """The outcome of one gate: one layer of one table (or all gold marts) for one date."""

    layer: str
    dataset: str
    table: str
    ingest_date: str
    evaluated: int
    passed: int
    rows: int
    duration_seconds: float
    checks: list[str]
    # The Data Docs page of each failed check, or the start page when all passed.
    data_docs: list[str]
    failures: list[FailedExpectation] = field(default_factory=list)
    # What the gate found out about a failure beyond the expectations (example keys).
    notes: list[str] = field(default_factory=list)
    # Rows per table checked: the one table of bronze and silver, each mart of gold.
    rows_by_table: dict[str, int] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        return self.evaluated > 0 and self.passed == self.evaluated

    @property
    def success_ratio(self) -> float:
        return self.passed / self.evaluated if self.evaluated else 0.0

    def to_dict(self) -> dict:
        return {**asdict(self), "success": self.success, "success_ratio": self.success_ratio}

    def failure_message(self) -> str:
        """What a student reads in the failed task's log."""
        failed = self.evaluated - self.passed
        lines = [
            f"{self.layer} gate failed for {self.dataset}.{self.table}, delivery {self.ingest_date}: "
            f"{failed} of {self.evaluated} expectations failed.",
            *[f"  - {failure.check}: {failure.describe()}" for failure in self.failures],
            *[f"  {note}" for note in self.notes],
            "Data Docs of the failed checks:",
            *[f"  {page}" for page in self.data_docs],
            "  (all results: `make docs`; suites in great_expectations/expectations/)",
        ]
        return "\n".join(lines)


def failures_of(validation_result) -> list[FailedExpectation]:
    """The failed expectations of one GX suite validation result."""
    failures = []
    for outcome in validation_result.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        kwargs = dict(config.kwargs)
        found = outcome.result or {}
        error = _error_of(outcome.exception_info or {})
        failures.append(
            FailedExpectation(
                check=validation_result.suite_name,
                expectation=config.type,
                columns=_columns_of(kwargs),
                arguments={
                    key: _as_text(value)
                    for key, value in kwargs.items()
                    if key not in _DOMAIN_KWARGS and value is not None
                },
                description=config.description,
                unexpected_count=found.get("unexpected_count"),
                element_count=found.get("element_count"),
                examples=_examples(found.get("partial_unexpected_list") or []),
                observed=_as_text(found["observed_value"]) if "observed_value" in found else None,
                error=error,
            )
        )
    return failures


def _error_of(exception_info: dict) -> str | None:
    """The message of an exception GX caught while checking, or None.

    GX reports one exception flat (`raised_exception`, `exception_message`), or, when
    metrics failed, one such entry per metric, keyed by the metric's ID.
    """
    entries = [exception_info, *exception_info.values()]
    messages = {
        entry["exception_message"]
        for entry in entries
        if isinstance(entry, dict) and entry.get("raised_exception")
    }
    return "; ".join(sorted(messages)) or None


def record_path(layer: str, dataset: str, table: str, ds: str) -> Path:
    return load_settings().lake_dir / "_gates" / dataset / layer / table / f"ingest_date={ds}.json"


def write_record(result: GateResult) -> Path:
    """Write the result where monitoring reads it (atomically: whole file or none)."""
    path = record_path(result.layer, result.dataset, result.table, result.ingest_date)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(result.to_dict(), indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


def read_records(dataset: str, ds: str | None = None) -> list[dict]:
    """Every gate record of a dataset (of one delivery date if given), in pipeline order."""
    root = load_settings().lake_dir / "_gates" / dataset
    pattern = f"*/*/ingest_date={ds}.json" if ds else "*/*/ingest_date=*.json"
    records = [json.loads(path.read_text(encoding="utf-8")) for path in root.glob(pattern)]
    return sorted(
        records,
        key=lambda record: (
            record["ingest_date"],
            LAYER_ORDER.index(record["layer"]),
            record["table"],
        ),
    )


def _columns_of(kwargs: dict) -> list[str]:
    if "column" in kwargs:
        return [kwargs["column"]]
    if "column_list" in kwargs:
        return list(kwargs["column_list"])
    return [kwargs[key] for key in ("column_A", "column_B") if key in kwargs]


def _examples(values: list) -> list[str]:
    """Up to MAX_EXAMPLES distinct unexpected values, as text (a duplicate key shows twice)."""
    distinct = list(dict.fromkeys(_as_text(value) for value in values))
    return distinct[:MAX_EXAMPLES]


def _as_text(value) -> str:
    """A value as a failure message shows it: strings quoted, missing values as null."""
    if value is None or type(value).__name__ in {"NAType", "NaTType"}:
        return "null"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float):
        # 0 rather than 0.0, 0.090909 rather than 0.09090909090909091; cents survive.
        return str(int(value)) if value.is_integer() else repr(round(value, 6))
    if isinstance(value, list | tuple):
        return "(" + ", ".join(_as_text(item) for item in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_as_text(item)}" for key, item in value.items()) + "}"
    return str(value)
