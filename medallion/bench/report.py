"""The benchmark's report: machine facts, a table per stage and per layer, as markdown and
JSON (docs/benchmarks/<name>.md and .json).

Columns: `ours s` and `floor s` are wall seconds of the stage's process(es), start-up
included; `rows/s` = rows the stage read / `ours s`; `peak MB` = the largest resident set
of the stage's process tree (Python + Java); `ours/floor` = how many times the floor's
time ours takes.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path


def machine_info() -> dict:
    """Cores, memory, CPU, versions, and the load when the bench started."""
    import duckdb
    import psutil
    import pyspark

    return {
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu_model": _cpu_model(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
        "java": _java_version(),
        "spark": pyspark.__version__,
        "duckdb": duckdb.__version__,
        "dbt": _package_version("dbt-core"),
        "great_expectations": _package_version("great-expectations"),
        "airflow": _package_version("apache-airflow"),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _java_version() -> str:
    java = Path(os.environ["JAVA_HOME"]) / "bin" / "java" if "JAVA_HOME" in os.environ else "java"
    result = subprocess.run(
        [str(java), "-version"], capture_output=True, text=True, timeout=30, check=True
    )
    return result.stderr.splitlines()[0] if result.stderr else "unknown"


def _package_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def stage_rows(ours: list, floor: list) -> list[dict]:
    """One row per stage of ours, with the floor's stage of the same name beside it.

    With one process per layer (grouping "layer") ours has `<layer>/ingest_all` where the
    floor has one stage per table: the floor's stages are summed to match.
    """
    rows = []
    for measurement in ours:
        layer, step = measurement.name.split("/")
        verb = step.rsplit("_", 1)[0] if step.endswith("_all") else step
        matching = [
            other
            for other in floor
            if other.name == measurement.name
            or (step.endswith("_all") and other.name.startswith(f"{layer}/{verb}_"))
        ]
        floor_seconds = sum(other.seconds for other in matching)
        rows.append(
            {
                **measurement.to_dict(),
                "floor_seconds": round(floor_seconds, 3),
                "ratio": round(measurement.seconds / floor_seconds, 1) if floor_seconds else None,
            }
        )
    return rows


def layer_rows(stages: list[dict]) -> list[dict]:
    """Stages summed per kind of step (ingest, gates of bronze, refine, ...) and overall."""
    groups: dict[str, list[dict]] = {}
    for stage in stages:
        layer, step = stage["name"].split("/")
        kind = "validate" if step.startswith("validate") else step.split("_")[0]
        if kind == "build":
            kind = "dbt"
        groups.setdefault(f"{layer} {kind}", []).append(stage)
    groups["whole run"] = stages
    rows = []
    for name, members in groups.items():
        ours = sum(stage["seconds"] for stage in members)
        floor = sum(stage["floor_seconds"] for stage in members)
        rows.append(
            {
                "name": name,
                "seconds": round(ours, 2),
                "floor_seconds": round(floor, 2),
                "ratio": round(ours / floor, 1) if floor else None,
                "peak_rss_mb": max(stage["peak_rss_mb"] for stage in members),
            }
        )
    return rows


def write_report(report: dict, out_dir: Path, name: str) -> tuple[Path, Path]:
    """Write `<name>.json` and `<name>.md` into out_dir; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / f"{name}.json", out_dir / f"{name}.md"
    json_path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    md_path.write_text(to_markdown(report), encoding="utf-8")
    return json_path, md_path


def to_markdown(report: dict) -> str:
    machine = report["machine"]
    lines = [
        f"# Benchmark: scale {report['scale']} ({report['orders_per_day']:,} orders), "
        f"{report['grouping']} grouping",
        "",
        f"{machine['started_at']} · {machine['cores']} cores · {machine['ram_gb']} GB · "
        f"{machine['cpu_model']} · load average at start {machine['load_average_at_start']}",
        f"Python {machine['python']} · {machine['java']} · Spark {machine['spark']} · "
        f"DuckDB {machine['duckdb']} · dbt {machine['dbt']} · GX "
        f"{machine['great_expectations']} · Airflow {machine['airflow']}",
        f"Command: `{report['command']}`",
        *([f"Spark settings tried: {report['spark_conf']}"] if report.get("spark_conf") else []),
        "",
        "## Per layer",
        "",
        "| step | ours s | floor s | ours/floor | peak MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in report["layers"]:
        lines.append(
            f"| {row['name']} | {row['seconds']:.2f} | {row['floor_seconds']:.2f} | "
            f"{_ratio(row['ratio'])} | {row['peak_rss_mb']:,.0f} |"
        )
    lines += [
        "",
        "## Per stage",
        "",
        "| stage | ours s | start-up s | rows | rows/s | peak MB | floor s | ours/floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["stages"]:
        startup = row["answer"].get("startup_seconds")
        lines.append(
            f"| {row['name']} | {row['seconds']:.2f} | "
            f"{'' if startup is None else f'{startup:.2f}'} | {row['rows']:,} | "
            f"{row['rows_per_second']:,.0f} | {row['peak_rss_mb']:,.0f} | "
            f"{row['floor_seconds']:.2f} | {_ratio(row['ratio'])} |"
        )
    for section, body in report.get("sections", {}).items():
        lines += ["", f"## {section}", "", *body]
    return "\n".join(lines) + "\n"


def _ratio(value) -> str:
    return "" if value is None else f"{value:.1f}×"


def command_line() -> str:
    return " ".join(["python -m medallion.bench", *sys.argv[1:]])
