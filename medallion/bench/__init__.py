"""Benchmark harness: where a run's time goes, and how far it is from the DuckDB floor.

    python -m medallion.bench --scale tiny|10k|100k|1m|10m [--grouping task|layer]
                              [--with parse,dbt,airflow,incremental] [--work-dir .bench]

medallion.bench.stages runs every stage as its own process (measure.py times it and
samples its memory), duckdb_floor.py runs the same work in plain DuckDB SQL (floor/*.sql),
extras.py measures fixed costs (Airflow, DAG parsing, dbt per model, history), and
report.py writes the tables. docs/benchmarks.md explains the columns and the findings.
"""
