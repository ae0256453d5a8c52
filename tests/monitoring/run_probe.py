"""Run the monitoring_probe DAG once per planned logical date, all in this one process.

    python run_probe.py '[{"ds": "2026-11-20", "fail": true, "env": {...}}, ...]'

Airflow's start-up (imports, its in-process API) is paid once instead of once per run.
Each entry's `env` is applied before its run, so runs can see different connections
(Airflow reads AIRFLOW_CONN_* when a task looks a connection up). After each run one line
`PROBE_RUN {"ds": ..., "state": ..., "pushgateway": <what the gateway holds then>}` is
printed. Used by test_notifications.py; the DAG is dags/monitoring_probe.py.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

DAGS_FOLDER = Path(__file__).parent / "dags"


def main() -> None:
    import pendulum
    import requests
    from airflow.dag_processing.dagbag import DagBag

    plan = json.loads(sys.argv[1])
    dag = DagBag(dag_folder=DAGS_FOLDER).get_dag("monitoring_probe")
    for run in plan:
        os.environ.update(run["env"])
        dag_run = dag.test(logical_date=pendulum.parse(run["ds"]), run_conf={"fail": run["fail"]})
        gateway = os.environ["MEDALLION_PUSHGATEWAY_URL"]
        held = requests.get(f"{gateway}/metrics", timeout=5).text
        report = {"ds": run["ds"], "state": str(dag_run.state), "pushgateway": held}
        print("PROBE_RUN " + json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
