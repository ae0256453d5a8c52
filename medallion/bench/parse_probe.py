"""How long Airflow takes to parse one DAG file, measured inside a fresh interpreter.

    python -m medallion.bench.parse_probe airflow/dags/ecommerce_daily.py

Airflow itself is imported first (the dag-processor has it loaded already), then the file
is parsed twice with a DagBag of that one file: the first parse also imports what the
file imports (medallion, pendulum, ...), the second is what every later parse costs.
Prints one JSON line: seconds of each parse, DAGs found, import errors.
"""

from __future__ import annotations

import json
import sys
import time


def probe(path: str) -> dict:
    started = time.perf_counter()
    import airflow.sdk  # noqa: F401  (loaded before timing, as in the dag-processor)
    from airflow.dag_processing.dagbag import DagBag

    import_airflow = time.perf_counter() - started
    parses = []
    for _ in range(2):
        started = time.perf_counter()
        bag = DagBag(dag_folder=path, safe_mode=False)
        parses.append(time.perf_counter() - started)
    return {
        "import_airflow_seconds": round(import_airflow, 3),
        "first_parse_seconds": round(parses[0], 4),
        "next_parse_seconds": round(parses[1], 4),
        "dags": sorted(bag.dags),
        "import_errors": {str(key): str(value) for key, value in bag.import_errors.items()},
    }


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[1])))
