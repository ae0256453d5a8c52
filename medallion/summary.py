"""What a run produced, in numbers a person can check at a glance.

`format_run_summary` turns one DAG run's task results into the block the last task logs;
`print_summary` reads the lake's commit markers and the gold warehouse after `make demo`.
"""

from __future__ import annotations

import json
from decimal import Decimal

from medallion.contracts import list_tables
from medallion.lake import file_quarantine_dir, published_dates, read_commit_marker
from medallion.settings import load_settings

PREVIEW_ROWS = 5


def format_reasons(by_reason: dict[str, int]) -> str:
    return ", ".join(f"{reason}: {count:,}" for reason, count in sorted(by_reason.items()))


def format_run_summary(
    dataset: str, ds: str | None, silver_results: list[dict], gold_result: dict
) -> str:
    """One line per table (bronze -> silver + quarantine) and one per gold mart."""
    lines = [f"{dataset} {ds}: run summary"]
    for result in silver_results:
        line = (
            f"  {result['table']:<12} {result['bronze_rows']:>10,} bronze -> "
            f"{result['rows']:>10,} silver, {result['quarantined']:>7,} quarantined"
        )
        if result["quarantined_by_reason"]:
            line += f" ({format_reasons(result['quarantined_by_reason'])})"
        lines.append(line)
    for mart, rows in sorted(gold_result.get("mart_rows", {}).items()):
        lines.append(f"  gold {mart:<24} {rows:>10,} rows")
    return "\n".join(lines)


def _print_quarantined_files(dataset: str) -> None:
    """Whole files that could not be read (medallion.file_screening), with their reasons."""
    folder = file_quarantine_dir(dataset)
    reasons = sorted(folder.glob("*/*/*.reason.json"))
    if not reasons:
        return
    print(f"\n=== unreadable files in quarantine ({folder}) ===")
    for path in reasons:
        reason = json.loads(path.read_text(encoding="utf-8"))
        table, ds = path.parent.parent.name, path.parent.name
        print(f"  {table:<12} {ds}  {reason['file']}: {reason['reason']} ({reason['detail']})")


def print_summary(dataset: str) -> int:
    """Print rows per layer and table, quarantine reasons, gold marts and where to look."""
    settings = load_settings()
    print(f"\n=== {dataset}: rows per layer (all published delivery dates) ===")
    print(f"  {'table':<12} {'dates':>5} {'bronze':>10} {'silver':>10} {'quarantine':>10}")
    reasons_by_table = {}
    for table in list_tables(dataset):
        dates = published_dates("silver", dataset, table)
        markers = [read_commit_marker("silver", dataset, table, ds) or {} for ds in dates]
        bronze = sum(marker.get("bronze_rows", 0) for marker in markers)
        silver = sum(marker.get("rows", 0) for marker in markers)
        quarantined = sum(marker.get("quarantined", 0) for marker in markers)
        print(f"  {table:<12} {len(dates):>5} {bronze:>10,} {silver:>10,} {quarantined:>10,}")
        reasons: dict[str, int] = {}
        for marker in markers:
            for reason, count in marker.get("quarantined_by_reason", {}).items():
                reasons[reason] = reasons.get(reason, 0) + count
        if reasons:
            reasons_by_table[table] = reasons

    print("\n=== quarantined rows by reason ===")
    for table, reasons in reasons_by_table.items():
        print(f"  {table:<12} {format_reasons(reasons)}")
    _print_quarantined_files(dataset)

    from medallion.quality.docs import format_gate_results
    from medallion.quality.project import data_docs_index

    latest = max(
        (ds for table in list_tables(dataset) for ds in published_dates("silver", dataset, table)),
        default=None,
    )
    print(f"\n=== quality gates (Great Expectations), delivery {latest} ===")
    print("  " + format_gate_results(dataset, latest).replace("\n", "\n  "))
    print(f"  Data Docs: {data_docs_index()}   (make docs serves them)")

    warehouse = settings.warehouse_dir / f"{dataset}.duckdb"
    print(f"\n=== gold marts in {warehouse} ===")
    if not warehouse.exists():
        print("  (no warehouse yet: the gold step has not run)")
        return 1
    _print_marts(warehouse)
    print(
        "\nWhere to look next:\n"
        f"  lake (parquet)     {settings.lake_dir}\n"
        f"  warehouse (duckdb) duckdb {warehouse}\n"
        "  Airflow UI         make airflow   (then open http://127.0.0.1:8080)\n"
        "  quality gates      make docs      (Great Expectations Data Docs)\n"
        "  metrics            make monitor   (then make demo again, open http://127.0.0.1:19090)\n"
        "  tests              make test\n"
    )
    return 0


def _print_marts(warehouse) -> None:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        marts = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'main' and table_type = 'BASE TABLE' order by table_name"
            ).fetchall()
        ]
        for mart in marts:
            relation = con.table(mart)
            (rows,) = relation.count("*").fetchall()[0]
            print(f"\n  {mart} ({rows:,} rows)")
            print("    " + " | ".join(relation.columns))
            for row in (
                relation.order(", ".join(relation.columns[:2])).limit(PREVIEW_ROWS).fetchall()
            ):
                print("    " + " | ".join(_show(value) for value in row))


def _show(value) -> str:
    if isinstance(value, float | Decimal):
        return f"{value:,.2f}"
    return str(value)
