"""Lab 1 — Extract & Load to bronze: the checks of `make check-lab N=1`.

The participant writes the lineage columns of a bronze row (spark/transforms/ingest.py)
and the counting, logging and commit receipt of the ingest job
(spark/jobs/ingest_to_bronze.py). The check generates one small day of e-commerce data,
adds a second file that re-sends two orders unchanged (an exact duplicate must get the
same row hash), runs the participant's ingest of `ecommerce.orders` once with real Spark,
and then every milestone looks at what that one run produced.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from medallion.lake import CANDIDATES, COMMIT_MARKER, candidate_dir
from medallion.teaching.checks import CheckResult, fail, ok
from medallion.teaching.labs.base import Lab, LabContext, Milestone
from medallion.teaching.labs.workspace import clean_data_dir, fresh_import, pointed_at

DATASET, TABLE, DS = "ecommerce", "orders", "2026-11-01"
RESENT_FILE = "orders-resent.csv"
STUDENT_FILES = ("spark/transforms/ingest.py", "spark/jobs/ingest_to_bronze.py")
JOB_MODULE = "spark.jobs.ingest_to_bronze"
AGAIN = "then run `make check-lab N=1` again"


@dataclass
class IngestRun:
    """What one run of the participant's ingest produced, read back from disk."""

    data_dir: Path
    landing_rows: dict[str, int]  # file name -> records in it
    started: datetime
    finished: datetime
    error: str | None = None
    bronze: list[dict] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    marker: dict | None = None
    log_lines: list[str] = field(default_factory=list)

    @property
    def source_rows(self) -> int:
        return sum(self.landing_rows.values())


_runs: dict[tuple, IngestRun] = {}


def ingest_run(context: LabContext) -> IngestRun:
    """The ingest run for the files as they are now (run once, shared by the milestones)."""
    key = (context.home, *(_digest(context.home / name) for name in STUDENT_FILES))
    if key not in _runs:
        _runs[key] = _run_ingest(context.home)
    return _runs[key]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


def _run_ingest(home: Path) -> IngestRun:
    from medallion.generate.ecommerce import generate_ecommerce
    from medallion.source_records import count_source_records
    from spark.session import local_session

    data_dir = clean_data_dir(home, 1)
    with pointed_at(home, data_dir):
        generate_ecommerce(data_dir / "landing" / DATASET, date.fromisoformat(DS), 1, 50, 42)
        landing = data_dir / "landing" / DATASET / TABLE / DS
        _resend_two_orders(landing)
        counts = {path.name: count_source_records(path, "csv") for path in landing.glob("*.csv")}
        spark = local_session("check-lab-1")
        started = datetime.now(UTC)
        handler = _LogLines({(home / name).resolve() for name in STUDENT_FILES})
        job_logger = logging.getLogger(JOB_MODULE)
        job_logger.addHandler(handler)
        previous_level = job_logger.level
        job_logger.setLevel(logging.INFO)
        error = None
        try:
            _, job = fresh_import(home, "spark.transforms.ingest", JOB_MODULE)
            job.run(spark, DATASET, TABLE, DS)
        except Exception as exception:  # noqa: BLE001 - shown to the participant by milestone 1
            error = f"{type(exception).__name__}: {exception}"
        finally:
            job_logger.removeHandler(handler)
            job_logger.setLevel(previous_level)
        run = IngestRun(data_dir, counts, started, datetime.now(UTC), error)
        run.log_lines = handler.lines
        _read_back(run)
    return run


def _resend_two_orders(landing: Path) -> None:
    """A second file re-sending the first two orders exactly as delivered."""
    [delivered] = sorted(landing.glob("*.csv"))
    with delivered.open(newline="", encoding="utf-8") as handle:
        header, first, second = [row for row, _ in zip(csv.reader(handle), range(3), strict=False)]
    with (landing / RESENT_FILE).open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, first, second])


class _LogLines(logging.Handler):
    """Keeps the messages logged from the participant's files."""

    def __init__(self, files: set[Path]):
        super().__init__(logging.INFO)
        self.files = files
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if Path(record.pathname).resolve() in self.files:
            self.lines.append(record.getMessage())


def _read_back(run: IngestRun) -> None:
    import pyarrow.parquet as pq

    # The job writes a candidate; the bronze gate (not part of this lab) would publish it.
    folder = candidate_dir("bronze", DATASET, TABLE, DS)
    parts = sorted(folder.glob("*.parquet"))
    if parts:
        tables = [pq.read_table(path) for path in parts]
        run.columns = tables[0].column_names
        run.bronze = [row for table in tables for row in table.to_pylist()]
    marker = folder / COMMIT_MARKER
    if marker.exists():
        run.marker = json.loads(marker.read_text(encoding="utf-8"))


def _bronze_folder(run: IngestRun) -> str:
    return f"{run.data_dir}/lake/bronze/{DATASET}/{TABLE}/{CANDIDATES}/ingest_date={DS}"


# --- the milestones ----------------------------------------------------------------------


def runs_and_writes(context: LabContext) -> CheckResult:
    run = ingest_run(context)
    name = "ingest runs"
    if run.error:
        return fail(
            name,
            f"the ingest of {DATASET}.{TABLE} for {DS} stopped with {run.error}",
            f"fix the line the error names in {' or '.join(STUDENT_FILES)}, {AGAIN}",
        )
    if not run.bronze:
        return fail(
            name,
            f"the ingest finished but wrote no rows to {_bronze_folder(run)}",
            f"make run() in {STUDENT_FILES[1]} write the frame with replace_partition(), {AGAIN}",
        )
    return ok(name, f"{len(run.bronze)} rows written to {_bronze_folder(run)}")


def keeps_every_row(context: LabContext) -> CheckResult:
    run = ingest_run(context)
    if blocked := _blocked(run):
        return blocked
    name = "row count"
    if len(run.bronze) != run.source_rows:
        return fail(
            name,
            f"bronze holds {len(run.bronze)} rows but the {len(run.landing_rows)} landing files "
            f"hold {run.source_rows} records",
            f"bronze keeps every delivered row, none added, none dropped: check the read "
            f"and the select in {STUDENT_FILES[0]}, {AGAIN}",
        )
    return ok(name, f"{run.source_rows} landing records -> {len(run.bronze)} bronze rows")


def says_when_and_where(context: LabContext) -> CheckResult:
    run = ingest_run(context)
    if blocked := _blocked(run):
        return blocked
    name = "_ingested_at and _source_file"
    fix_where = f"fill the column in add_ingestion_metadata() ({STUDENT_FILES[0]}), {AGAIN}"
    problem = _missing_or_null(run, ["_ingested_at", "_source_file"])
    if problem:
        return fail(name, problem, fix_where)
    loaded_at = {row["_ingested_at"] for row in run.bronze}
    window = (run.started - timedelta(seconds=1), run.finished + timedelta(seconds=1))
    if len(loaded_at) != 1 or not window[0] <= _utc(next(iter(loaded_at))) <= window[1]:
        return fail(
            name,
            f"_ingested_at should be one moment during the run ({run.started:%H:%M:%S} to "
            f"{run.finished:%H:%M:%S} UTC), found {sorted(map(str, loaded_at))[:3]}",
            f"use the `ingested_at` argument for every row: F.lit(ingested_at), {AGAIN}",
        )
    expected = {f"{TABLE}/{DS}/{name}": rows for name, rows in run.landing_rows.items()}
    found: dict[str, int] = {}
    for row in run.bronze:
        found[row["_source_file"]] = found.get(row["_source_file"], 0) + 1
    if found != expected:
        return fail(
            name,
            f"_source_file should name each landing file as `<folder>/<ds>/<file>` with its "
            f"rows {expected}, found {dict(list(found.items())[:3])}",
            f"build it from the last three parts of `_metadata.file_path`, {AGAIN}",
        )
    return ok(name, f"every row says it was loaded at {next(iter(loaded_at))} from {sorted(found)}")


def hashes_identical_rows_alike(context: LabContext) -> CheckResult:
    run = ingest_run(context)
    if blocked := _blocked(run):
        return blocked
    name = "_row_hash"
    fix_where = f"compute it in add_ingestion_metadata() ({STUDENT_FILES[0]}), {AGAIN}"
    problem = _missing_or_null(run, ["_row_hash"])
    if problem:
        return fail(name, problem, fix_where)
    lineage = {"_ingested_at", "_source_file", "_row_hash", "ingest_date"}
    data_columns = [column for column in run.columns if column not in lineage]
    hashes_by_values: dict[tuple, set[str]] = {}
    for row in run.bronze:
        values = tuple(row[column] for column in data_columns)
        hashes_by_values.setdefault(values, set()).add(row["_row_hash"])
    split = [hashes for hashes in hashes_by_values.values() if len(hashes) > 1]
    if split:
        return fail(
            name,
            f"rows with identical values got different hashes ({RESENT_FILE} re-sends two "
            f"orders unchanged): the hash must not include the file name or the load time",
            f"hash only the data columns and _corrupt_record, {AGAIN}",
        )
    distinct_hashes = {hash_ for hashes in hashes_by_values.values() for hash_ in hashes}
    if len(distinct_hashes) != len(hashes_by_values):
        return fail(
            name,
            f"{len(hashes_by_values)} different rows share only {len(distinct_hashes)} hashes: "
            f"some column is missing from the hash",
            f"hash every data column (F.struct(*data_columns, CORRUPT_RECORD)), {AGAIN}",
        )
    duplicates = len(run.bronze) - len(hashes_by_values)
    return ok(
        name,
        f"{len(distinct_hashes)} distinct rows, {duplicates} exact re-sends share their hash",
    )


def logs_the_counts(context: LabContext) -> CheckResult:
    run = ingest_run(context)
    if blocked := _blocked(run):
        return blocked
    name = "log line"
    rows = len(run.bronze)
    wanted = {str(rows), f"{rows:,}"}
    for line in run.log_lines:
        if any(number in line for number in wanted) and TABLE in line and DS in line:
            return ok(name, f"logged: {line}")
    seen = f"its log lines: {run.log_lines}" if run.log_lines else "it logged nothing"
    return fail(
        name,
        f"no log line of the ingest names {TABLE}, {DS} and the {rows} rows loaded ({seen})",
        f"add log.info(...) at the end of run() in {STUDENT_FILES[1]} with the table, "
        f"the date, the rows written, the files and the rows they hold, {AGAIN}",
    )


def commits_a_receipt(context: LabContext) -> CheckResult:
    run = ingest_run(context)
    if blocked := _blocked(run):
        return blocked
    name = "commit marker"
    fix = f"add them to `stats` in run() ({STUDENT_FILES[1]}), {AGAIN}"
    if run.marker is None:
        return fail(name, f"{_bronze_folder(run)}/{COMMIT_MARKER} was not written", fix)
    missing = [key for key in ("rows", "source_rows", "ingested_at") if key not in run.marker]
    if missing:
        return fail(name, f"{COMMIT_MARKER} has no {', '.join(missing)}", fix)
    wrong = []
    if run.marker["rows"] != len(run.bronze):
        wrong.append(f"rows is {run.marker['rows']}, bronze holds {len(run.bronze)}")
    if run.marker["source_rows"] != run.source_rows:
        wrong.append(
            f"source_rows is {run.marker['source_rows']}, the files hold {run.source_rows}"
        )
    stamped = _parse_time(run.marker["ingested_at"])
    loaded_at = {_utc(row["_ingested_at"]) for row in run.bronze if row.get("_ingested_at")}
    if stamped is None or (loaded_at and abs(stamped - min(loaded_at)) > timedelta(seconds=1)):
        wrong.append(
            f"ingested_at is {run.marker['ingested_at']!r}, the rows say "
            f"{sorted(map(str, loaded_at))[:1]} (an ISO timestamp: ingested_at.isoformat())"
        )
    if wrong:
        return fail(
            name, "; ".join(wrong), f"fix the values in `stats` ({STUDENT_FILES[1]}), {AGAIN}"
        )
    return ok(
        name,
        f"{COMMIT_MARKER}: rows {run.marker['rows']}, source_rows {run.marker['source_rows']}, "
        f"ingested_at {run.marker['ingested_at']}, committed_at {run.marker.get('committed_at')}",
    )


def _blocked(run: IngestRun) -> CheckResult | None:
    """The later milestones look at bronze: without it they can only point at milestone 1."""
    if run.error or not run.bronze:
        return fail(
            "", "the ingest wrote no bronze rows to look at", "get milestone 1 passing first"
        )
    return None


def _missing_or_null(run: IngestRun, columns: list[str]) -> str | None:
    missing = [column for column in columns if column not in run.columns]
    if missing:
        return f"bronze has no column {', '.join(missing)} (it has {run.columns})"
    empty = [column for column in columns if any(row[column] is None for row in run.bronze)]
    if empty:
        verb = "is" if len(empty) == 1 else "are"
        return f"{', '.join(empty)} {verb} empty (null) in bronze rows"
    return None


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parse_time(text: object) -> datetime | None:
    try:
        return _utc(datetime.fromisoformat(str(text)))
    except ValueError:
        return None


LAB = Lab(
    number=1,
    title="Extract & Load to bronze",
    student_files=STUDENT_FILES,
    milestones=(
        Milestone(
            "the ingest of ecommerce.orders runs and writes a bronze partition", runs_and_writes
        ),
        Milestone("bronze holds every record of the landing files", keeps_every_row),
        Milestone("every row says when it was loaded and from which file", says_when_and_where),
        Milestone(
            "identical rows share a row hash, different rows do not", hashes_identical_rows_alike
        ),
        Milestone("the job logs what it loaded, in numbers", logs_the_counts),
        Milestone("the commit marker records the counts and the load time", commits_a_receipt),
    ),
)
