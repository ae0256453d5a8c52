"""The measurements beyond one daily run, chosen with `--with`, and how each is reported."""

from __future__ import annotations

from medallion.bench.fixed_costs import airflow_overhead, dbt_costs, parse_costs
from medallion.bench.history import incremental_cost

MEASUREMENTS = {
    "parse": parse_costs,
    "dbt": dbt_costs,
    "airflow": airflow_overhead,
    "incremental": incremental_cost,
}
TITLES = {
    "parse": "DAG parse cost",
    "dbt": "dbt: fixed and per-model cost",
    "airflow": "Fixed overhead: the whole DAG on a tiny delivery (airflow dags test)",
    "incremental": "Incremental cost: 1 day of history vs 30 days",
}


def lines(extra: str, figures: dict) -> list[str]:
    """Markdown lines of one extra measurement."""
    return {
        "parse": _parse_lines,
        "dbt": _dbt_lines,
        "airflow": _airflow_lines,
        "incremental": _incremental_lines,
    }[extra](figures)


def agreement_lines(agreement: dict) -> list[str]:
    verdict = "yes" if agreement.get("passed") else "NO"
    return [
        f"agg_daily_sales identical row for row: **{verdict}** ({agreement['rows']:,} rows, "
        f"{agreement['differing_rows']} differing); revenue ours {agreement['ours_revenue']:,.2f}"
        f" / floor {agreement['floor_revenue']:,.2f}; orders ours "
        f"{agreement['ours_order_count']:,} / floor {agreement['floor_order_count']:,}."
    ]


def _parse_lines(figures: dict) -> list[str]:
    rows = [
        "| DAG file | first parse ms | next parse ms | `python <file>` s | errors |",
        "|---|---:|---:|---:|---|",
    ]
    for name, file in figures["files"].items():
        rows.append(
            f"| {name} | {file['first_parse_seconds'] * 1000:.0f} | "
            f"{file['next_parse_seconds'] * 1000:.0f} | {file['python_file_seconds']:.2f} | "
            f"{len(file['import_errors'])} |"
        )
    rows += ["", f'`python -c "import airflow.sdk"`: {figures["import_airflow_sdk_seconds"]:.2f} s']
    return rows


def _dbt_lines(figures: dict) -> list[str]:
    seconds = figures["seconds"]
    rows = [
        f"`dbt parse` {seconds['parse']:.2f} s · `dbt run` of one model {seconds['one_model']:.2f} s"
        f" · of all {figures['models']} models {seconds['all_models']:.2f} s · marginal cost "
        f"{figures['marginal_seconds_per_model'] * 1000:.0f} ms per model, of which dbt's own "
        f"(not the SQL's) **{figures['marginal_overhead_seconds_per_model'] * 1000:.0f} ms**",
        "",
        "| model | execution s |",
        "|---|---:|",
    ]
    for model, execution in figures["model_execution_seconds"].items():
        rows.append(f"| {model.split('.')[-1]} | {execution:.2f} |")
    return rows


def _airflow_lines(figures: dict) -> list[str]:
    rows = [
        f"`airflow dags test` {figures['dags_test_seconds']:.1f} s wall (peak "
        f"{figures['peak_rss_mb']:,.0f} MB), of which tasks {figures['task_seconds_total']:.1f} s"
        f" and outside tasks {figures['outside_tasks_seconds']:.1f} s. `airflow db migrate` "
        f"(once): {figures['db_migrate_seconds'] or 'cached'} s.",
        "",
        "| task | s |",
        "|---|---:|",
    ]
    rows += [f"| {task} | {seconds:.2f} |" for task, seconds in figures["tasks"].items()]
    return rows


def _incremental_lines(figures: dict) -> list[str]:
    runs = figures["runs"]
    rows = [
        f"Scale {figures['scale']} ({figures['orders_per_day']:,} orders a day), "
        f"{figures['grouping']} grouping. Whole run 30 d / 1 d: "
        f"**{figures['ratio_30d_to_1d']}×**; gold (dbt) 30 d / 1 d: "
        f"**{figures['gold_ratio_30d_to_1d']}×**.",
        "",
        "| stage | 1 day of history s | 30 days s |",
        "|---|---:|---:|",
    ]
    for stage, seconds in runs["1d"]["stages"].items():
        rows.append(f"| {stage} | {seconds:.2f} | {runs['30d']['stages'][stage]:.2f} |")
    rows.append(f"| whole run | {runs['1d']['seconds']:.2f} | {runs['30d']['seconds']:.2f} |")
    return rows
