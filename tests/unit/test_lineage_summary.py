"""`make lineage` prints the last run's events: what each task read and wrote."""

from __future__ import annotations

import json

from medallion.lineage import summarize


def event(kind: str, job: str, run_id: str, inputs=(), outputs=()) -> str:
    facets = {"airflow": {"dagRun": {"run_id": run_id}}}
    return json.dumps(
        {
            "eventType": kind,
            "job": {"name": job},
            "run": {"facets": facets},
            "inputs": [{"namespace": "file", "name": name} for name in inputs],
            "outputs": [{"namespace": "file", "name": name} for name in outputs],
        }
    )


def test_the_last_run_is_summarized_task_by_task(tmp_path):
    events = tmp_path / "events.jsonl"
    events.write_text(
        "\n".join(
            [
                event("COMPLETE", "d.bronze.ingest_orders", "run-1", ["/old"], ["/older"]),
                event("START", "d.bronze.ingest_orders", "run-2"),
                event("COMPLETE", "d.bronze.ingest_orders", "run-2", ["/landing"], ["/bronze"]),
            ]
        )
    )
    text = summarize(events)
    assert "2 OpenLineage events of run run-2" in text
    assert "/landing\n        -> /bronze" in text
    assert "/old" not in text


def test_no_events_yet_says_how_to_get_some(tmp_path):
    assert "run a DAG (make run)" in summarize(tmp_path / "missing.jsonl")
