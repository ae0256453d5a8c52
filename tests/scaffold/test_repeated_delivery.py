"""A scaffolded dataset whose file arrives fifteen times: real Spark, real gates.

Before the de-duplication limit, refine removed 14 of every 15 rows as `duplicate_row`
and every gate stayed green. Now the silver gate fails and says why; the counts are
computed here from the delivered file, not taken from the pipeline.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from medallion.quality.gates import audit_and_publish
from medallion.quality.results import GateFailedError
from medallion.scaffold.command import new_dataset

pytestmark = pytest.mark.spark

REPO = Path(__file__).resolve().parents[2]
DS = "2026-11-01"
COPIES = 15


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    (home / "dbt").mkdir(parents=True)
    (home / "dbt" / "dbt_project.yml").write_bytes((REPO / "dbt" / "dbt_project.yml").read_bytes())
    (home / "great_expectations").mkdir()
    config = REPO / "great_expectations" / "great_expectations.yml"
    (home / "great_expectations" / "great_expectations.yml").write_bytes(config.read_bytes())
    monkeypatch.setenv("MEDALLION_HOME", str(home))
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(tmp_path / "data"))
    return home


def test_a_file_delivered_fifteen_times_fails_the_silver_gate(spark, home):
    from spark.jobs import ingest_to_bronze, refine_to_silver

    export = REPO / "data" / "samples" / "Kassenbuch.csv"
    result = new_dataset("kiosk", export, table="sales", ds=DS)
    for copy in range(2, COPIES + 1):
        shutil.copyfile(result.landing_file, result.landing_file.with_name(f"copy-{copy}.csv"))
    with export.open(encoding="latin-1", newline="") as file:
        rows = list(csv.DictReader(file, delimiter=";"))
    records, receipts = len(rows), len({row["Beleg Nr"] for row in rows})

    ingest_to_bronze.run(spark, "kiosk", "sales", DS)
    audit_and_publish("bronze", "kiosk", "sales", DS)
    refined = refine_to_silver.run(spark, "kiosk", "sales", DS)
    with pytest.raises(GateFailedError) as failure:
        audit_and_publish("silver", "kiosk", "sales", DS)

    removed = records * COPIES - receipts
    assert refined["quarantined_by_reason"] == {"duplicate_row": removed}
    message = str(failure.value)
    share = removed / (records * COPIES)
    assert f"removed {removed:,} of {records * COPIES:,} bronze rows ({share:.1%}" in message
    assert "the contract allows 10% (max_deduplicated_share)" in message
    assert f"{{'beleg_nr': '1001'}} ({COPIES - 1} rows)" in message
