"""Which lake folders a task read and wrote, told to Airflow for its OpenLineage events.

The OpenLineage provider (apache-airflow-providers-openlineage) sends a START and a
COMPLETE (or FAIL) event for every task. For operators it knows (SQL, Spark submit) it
finds the datasets itself; our tasks are Python functions, so each step reports its
inputs and outputs to Airflow's hook-lineage collector, which the provider reads when the
task ends. A dataset is a table's folder (not one date's partition), named the way the
provider names local files: namespace `file`, name the absolute path.

    ingest   landing/<dataset>/<folder>/<ds>/     -> lake/bronze/<dataset>/<table>
    refine   lake/bronze/<dataset>/<table>        -> lake/silver/..., lake/quarantine/...
    gate     the layer's table (audited)          -> the same table (published)
    gold     every lake/silver/<dataset>/<table>  -> warehouse/<dataset>.duckdb, lake/gold/<dataset>

Outside Airflow (tests calling the steps directly, `medallion` commands) this does
nothing. Where events go, and how to turn them off: README, "Lineage".
"""

from __future__ import annotations

from pathlib import Path

from medallion.lake import gold_dir, landing_dir, table_dir, warehouse_path


class MedallionStep:
    """Who reported the lineage (the collector keeps one entry per reporter and dataset)."""


REPORTER = MedallionStep()


def report(inputs: list[Path], outputs: list[Path]) -> None:
    """Add the folders a task read and wrote to this task's hook lineage."""
    try:
        from airflow.sdk.lineage import get_hook_lineage_collector
    except ImportError:  # Airflow is not installed: nobody collects lineage
        return
    # Each task starts with an empty collection (medallion.airflow_plugin).
    collector = get_hook_lineage_collector()  # a no-op unless a lineage reader is installed
    for path in inputs:
        collector.add_input_asset(context=REPORTER, uri=path.resolve().as_uri())
    for path in outputs:
        collector.add_output_asset(context=REPORTER, uri=path.resolve().as_uri())


def report_ingest(dataset: str, table: str, ds: str) -> None:
    from medallion.contracts import load_contract  # reads YAML: not while DAGs are parsed

    folder = load_contract(dataset, table).source_folder
    report([landing_dir(dataset, folder, ds)], [table_dir("bronze", dataset, table)])


def report_refine(dataset: str, table: str) -> None:
    report(
        [table_dir("bronze", dataset, table)],
        [table_dir("silver", dataset, table), table_dir("quarantine", dataset, table)],
    )


def report_gate(layer: str, dataset: str, table: str) -> None:
    if layer == "gold":
        published = [warehouse_path(dataset), gold_dir(dataset)]
        report(published, published)
    else:
        report([table_dir(layer, dataset, table)], [table_dir(layer, dataset, table)])


def report_gold(dataset: str) -> None:
    from medallion.contracts import list_tables

    report(
        [table_dir("silver", dataset, table) for table in list_tables(dataset)],
        [warehouse_path(dataset), gold_dir(dataset)],
    )


def summarize(events_file: Path) -> str:
    """The last DAG run in an events file: each task's inputs -> outputs, as lake paths."""
    import json

    if not events_file.exists():
        return (
            f"no lineage events in {events_file} yet: run a DAG (make run) with lineage on "
            "(it is unless LINEAGE=off)"
        )
    events = [json.loads(line) for line in events_file.read_text().splitlines() if line]
    if not events:
        return f"{events_file} is empty: run a DAG (make run)"
    last_run = _run_id(events[-1])
    run = [event for event in events if _run_id(event) == last_run]
    root = str(Path.cwd()) + "/"
    lines = [f"{len(run)} OpenLineage events of run {last_run} ({events_file}):"]
    for event in run:
        if event["eventType"] == "START":
            continue
        inputs = ", ".join(d["name"].removeprefix(root) for d in event["inputs"]) or "-"
        outputs = ", ".join(d["name"].removeprefix(root) for d in event["outputs"]) or "-"
        lines.append(f"  {event['eventType']:<8} {event['job']['name']}")
        if event["inputs"] or event["outputs"]:
            lines.append(f"      {inputs}\n        -> {outputs}")
    return "\n".join(lines)


def _run_id(event: dict) -> str:
    facets = event["run"]["facets"]
    return (
        (facets.get("airflow") or facets.get("airflowDagRun") or {})
        .get("dagRun", {})
        .get("run_id", "")
    )


if __name__ == "__main__":
    import sys

    print(summarize(Path(sys.argv[1])))
