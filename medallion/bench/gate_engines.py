"""The same committed GX suite on two execution engines: pandas (today's gates), Spark.

    python -m medallion.bench.gate_engines --scale 100k|1m [--repeat 2] [--out FILE.json]
        [--engines pandas,spark,spark_unpersisted] [--checks bronze.events,silver.orders]
    python -m medallion.bench.gate_engines report FILE.json     the figures as a table

Which engine should a gate run Great Expectations on? This measures it on real
partitions: the silver suite of ecommerce.orders (with its business-rule column) and
the bronze suite of ecommerce.events (the biggest table), each run

- `pandas`: as the gates run today (medallion.quality.gates): the partition read with
  pyarrow into the task's memory, the committed checkpoint on a pandas dataframe asset;
- `spark`: the partition read by the warm engine (a Spark Connect session, the
  `spark_default` connection), the same committed suite in a checkpoint on a Spark
  dataframe asset, so the rows stay in the engine and only metrics come back. GX caches
  the frame in the engine first (its `persist` default); `spark_unpersisted` does not.
  The suite's type expectations name pandas types, which GX's Spark engine refuses ("No
  recognized spark types"): the Spark runs check the same contract types under Spark's
  names (medallion.bench.gate_engines_run).

Both runs update Data Docs and use the SUMMARY result format, as the gates do. Each run
is its own process (medallion.bench.gate_engines_run; start-up included, as a task
pays it) and is measured by medallion.bench.measure: wall time and the peak memory of
the process tree; the engine's memory is sampled beside it. The report says whether both engines give the same result
for every expectation (success and unexpected count).

The partitions come from the benchmark's cached landing files (.bench/landing/, shared
with `make bench`): ingested, bronze-gated and refined once into
.bench/runs/gate-engines-<scale>/, then reused. The Spark datasource is added to the
benchmark's own copy of the GX project (.bench/home/), never to the committed one.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
import time
from pathlib import Path

from medallion.bench.measure import child_environment, measure, stage_command
from medallion.bench.workspace import SCALES, Workspace, delivery_dates

log = logging.getLogger(__name__)

# (layer, table) of the suites compared: the biggest bronze table, and the silver table
# whose suite has every kind of expectation, a business rule and a parameter.
CHECKS = (("bronze", "events"), ("silver", "orders"))
ENGINES = ("pandas", "spark", "spark_unpersisted")
PREPARED = ".prepared"


def prepare(workspace: Workspace, scale: str, env_home: Path) -> tuple[Path, str]:
    """The run folder of a scale with bronze events and silver orders (and their order
    lines) written; prepared once, as `make bench` would, then reused."""
    [ds] = delivery_dates(1)
    landing = workspace.landing(SCALES[scale], 1, seed=42)
    name = f"gate-engines-{scale}"
    data_dir = workspace.root / "runs" / name
    if (data_dir / PREPARED).exists():
        return data_dir, ds
    data_dir = workspace.new_run(name, landing)
    env = child_environment(env_home, data_dir)
    logs = workspace.logs(name)
    tables = ["orders", "order_items", "events"]
    for step in (
        ("spark", "ingest", ds, *tables),
        ("gate", "bronze", ds, *tables),  # publishes bronze, which refine reads
        ("spark", "refine", ds, "orders", "order_items"),
    ):
        log.info("preparing %s: %s", scale, " ".join(step))
        measure(f"prepare-{step[0]}-{step[1]}", stage_command(*step), env, logs)
    (data_dir / PREPARED).touch()
    return data_dir, ds


def compare(args: argparse.Namespace) -> dict:
    """Run every check on every engine (`repeat` rounds, engines alternating)."""
    from medallion.engine import configured

    workspace = Workspace(args.work_dir.resolve())
    home = workspace.prepare_home()
    data_dir, ds = prepare(workspace, args.scale, home)
    env = child_environment(home, data_dir)
    logs = workspace.logs(f"gate-engines-{args.scale}")
    measure("spark-setup", _child("setup"), env, logs)
    engine_pid = configured().pid()
    runs = []
    checks = [tuple(check.split(".")) for check in args.checks.split(",")]
    engines = ["pandas", *[engine for engine in args.engines.split(",") if engine != "pandas"]]
    for round_number in range(args.repeat):
        for layer, table in checks:
            for engine in engines:
                name = f"{layer}.{table}.{engine}.{round_number}"
                watch = EngineWatch(engine_pid)
                with watch:
                    measured = measure(name, _child("one", engine, layer, table, ds), env, logs)
                runs.append(
                    {
                        "layer": layer,
                        "table": table,
                        "engine": engine,
                        "round": round_number,
                        "seconds": measured.seconds,
                        "peak_rss_mb": measured.peak_rss_mb,
                        "engine_rss_mb": watch.before_mb,
                        "engine_peak_rss_mb": watch.peak_mb,
                        **measured.answer,
                    }
                )
                log.info("%s: %.1f s, %.0f MB", name, measured.seconds, measured.peak_rss_mb)
    return {"scale": args.scale, "ds": ds, "runs": runs, "agreement": agreement(runs)}


def agreement(runs: list[dict]) -> dict:
    """Per check and Spark engine: the expectations whose outcome differs from pandas'."""
    verdicts = {}
    for layer, table in dict.fromkeys((run["layer"], run["table"]) for run in runs):
        by_engine = {
            run["engine"]: run["outcomes"]
            for run in runs
            if (run["layer"], run["table"], run["round"]) == (layer, table, 0)
        }
        pandas = by_engine.pop("pandas")
        for engine, other in by_engine.items():
            verdicts[f"{layer}.{table} {engine}"] = sorted(
                f"{key}: pandas {pandas.get(key)} / {engine} {other.get(key)}"
                for key in set(pandas) | set(other)
                if pandas.get(key) != other.get(key)
            )
    return verdicts


def markdown(report: dict) -> str:
    """The report as a table: per check and engine, the fastest round and the memory."""
    lines = [
        (
            f"Gate engines at {report['scale']} orders a day (delivery {report['ds']}); "
            "seconds: fastest of the rounds, per-round figures in the JSON."
        ),
        "",
        (
            "| check | engine | rows | seconds (rounds) | start-up s | read s | validate s "
            "| task peak MB | engine MB before → peak |"
        ),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    measured = dict.fromkeys((run["layer"], run["table"], run["engine"]) for run in report["runs"])
    for layer, table, engine in measured:
        runs = [
            run
            for run in report["runs"]
            if (run["layer"], run["table"], run["engine"]) == (layer, table, engine)
        ]
        best = min(runs, key=lambda run: run["seconds"])
        rounds = " / ".join(f"{run['seconds']:.1f}" for run in runs)
        engine_peak = max(run["engine_peak_rss_mb"] for run in runs)
        lines.append(
            f"| {layer}.ecommerce.{table} | {engine} | {best['rows']:,} "
            f"| {best['seconds']:.1f} ({rounds}) | {best['startup_seconds']:.1f} "
            f"| {best['read_seconds']:.1f} | {best['validate_seconds']:.1f} "
            f"| {max(run['peak_rss_mb'] for run in runs):,.0f} "
            f"| {best['engine_rss_mb']:,.0f} → {engine_peak:,.0f} |"
        )
    lines.append("")
    for check, differences in report["agreement"].items():
        verdict = "; ".join(differences) if differences else "the same outcome and unexpected count"
        lines.append(f"- {check}: {verdict}")
    return "\n".join(lines)


class EngineWatch:
    """The warm engine's memory (its process tree) before and at most during a block."""

    def __init__(self, pid: int | None):
        self.pid, self.before_mb, self.peak_mb = pid, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _rss_mb(self) -> float:
        import psutil

        if self.pid is None:
            return 0.0
        root = psutil.Process(self.pid)
        members = [root, *root.children(recursive=True)]
        return sum(member.memory_info().rss for member in members) / 2**20

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._rss_mb())
            time.sleep(0.1)

    def __enter__(self):
        self.before_mb = round(self._rss_mb(), 1)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_mb = round(self.peak_mb, 1)


def _child(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "medallion.bench.gate_engines_run", *arguments]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "report":
        print(markdown(json.loads(Path(argv[1]).read_text(encoding="utf-8"))))
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["tiny", "10k", "100k", "1m"], default="100k")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--engines", default="pandas,spark", help=f"comma-separated, of {', '.join(ENGINES)}"
    )
    parser.add_argument("--checks", default=",".join(".".join(check) for check in CHECKS))
    parser.add_argument("--work-dir", type=Path, default=Path(".bench"))
    parser.add_argument("--out", type=Path, help="write the JSON report here too")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.engines.split(",")) - set(ENGINES))
    if unknown:
        raise SystemExit(f"unknown --engines {unknown}; choose from {ENGINES}")
    report = compare(args)
    text = json.dumps(report, indent=2, default=str)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
