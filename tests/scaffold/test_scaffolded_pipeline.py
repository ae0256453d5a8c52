"""A dataset scaffolded from a file it has never seen runs end to end through Airflow.

The file is a Latin-1, semicolon-separated export with a quoted line break, the kind a
spreadsheet on a German Windows machine writes. The scaffolder writes into a copy of the
project (MEDALLION_HOME in a temporary folder), so the repository stays untouched; the
generated DAG then runs with `airflow dags test` from that copy's dags folder.

Checked: every bronze row is in silver or quarantine, and the starter mart's figures
equal the same figures computed with plain DuckDB SQL from the landing files. The DAG's
gold gate reconciled the mart with silver (rows and the measure's sum), and fails once
gold no longer adds up.
"""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from support.airflow import REPO, AirflowRunner
from support.services import require

DATASET = "kiosk"
TABLE = "sales"
DS = "2026-11-01"
HEADER = "Beleg Nr;Verkauft am;Filiale;Betrag;Bemerkung\n"
# 60 receipts over two days and two shops; one remark spans two lines, one holds the
# delimiter (both quoted, as spreadsheets export them).
RECEIPTS = [
    f"{1000 + n};2026-10-{30 + n % 2};{('Köln', 'Düsseldorf')[n % 3 == 0]};{n * 1.25 + 0.5:.2f};"
    for n in range(1, 61)
]
RECEIPTS[1] += '"Kunde möchte\nRechnung per Post"'
RECEIPTS[2] += '"Rückgabe; geprüft"'
EXPORT = HEADER + "\n".join(RECEIPTS) + "\n"
# A second file of the same day, after the contract was drafted: a row whose amount is
# not a number, one below the contract's range, and a copy of a row already delivered.
# 3 of 63 rows rejected stays under the contract's 5% quarantine limit.
LATER_FILE = HEADER + "1061;2026-10-31;Köln;zwölf;\n1062;2026-10-31;Köln;-4.00;Storno\n"
LATER_FILE += RECEIPTS[3] + "\n"


@pytest.fixture
def project_copy(tmp_path, monkeypatch) -> Path:
    """The parts of the project a scaffold writes into, copied to a temporary home."""
    home = tmp_path / "home"
    ignore = shutil.ignore_patterns("target", "logs", "uncommitted")
    shutil.copytree(REPO / "dbt", home / "dbt", ignore=ignore)
    shutil.copytree(REPO / "great_expectations", home / "great_expectations", ignore=ignore)
    shutil.copytree(REPO / "data" / "contracts", home / "data" / "contracts")
    (home / "airflow" / "dags").mkdir(parents=True)
    monkeypatch.setenv("MEDALLION_HOME", str(home))
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(tmp_path / "data"))
    return home


@pytest.mark.integration
def test_scaffolded_dataset_runs_end_to_end(tmp_path, project_copy):
    require(
        "AIRFLOW_CONN_SPARK_DEFAULT" in os.environ,
        "DAG runs need the embedded environment (Java, spark_default): run them with `make test`",
    )
    from medallion.scaffold.command import new_dataset

    export = tmp_path / "Kassenbuch.csv"
    export.write_bytes(EXPORT.encode("latin-1"))
    result = new_dataset(DATASET, export, table=TABLE, ds=DS)
    contract = result.draft
    assert (contract.sample.encoding, contract.sample.delimiter) == ("latin-1", ";")
    assert contract.primary_key == ["beleg_nr"]
    landing = result.landing_file.parent
    (landing / "Kassenbuch-2.csv").write_bytes(LATER_FILE.encode("latin-1"))

    data_dir = tmp_path / "data"
    runner = AirflowRunner(
        tmp_path / "airflow_home",
        data_dir,
        {
            "MEDALLION_HOME": str(project_copy),
            "AIRFLOW__CORE__DAGS_FOLDER": str(project_copy / "airflow" / "dags"),
            "MEDALLION_PUSHGATEWAY_URL": "",
        },
    )
    runner.migrate()
    runner.run_dag(f"{DATASET}_daily", DS)

    lake = data_dir / "lake"
    bronze, silver, quarantine = (
        _rows(lake / layer / DATASET / TABLE) for layer in ("bronze", "silver", "quarantine")
    )
    assert bronze == 63  # 60 + 3 records: the quoted line break did not split a record
    assert (silver, quarantine) == (60, 3)
    assert silver + quarantine == bronze
    assert _mart(data_dir) == _expected_from_landing(landing)

    from medallion.quality.gates import validate_gold
    from medallion.quality.results import GateFailedError, read_records

    [gold_gate] = [record for record in read_records(DATASET, DS) if record["layer"] == "gold"]
    assert (gold_gate["evaluated"], gold_gate["passed"]) == (4, 4)  # grain x2, rows, sum
    # A day lost between silver and gold: both reconciliations fail, naming the figures.
    export = data_dir / "lake" / "gold" / DATASET / f"agg_{DATASET}__{TABLE}_daily.parquet"
    pq.write_table(pq.read_table(export).slice(1), export)
    with pytest.raises(GateFailedError) as failure:
        validate_gold(DATASET, DS)
    message = str(failure.value)
    assert "expect_column_sum_to_be_between on row_count" in message
    assert "expect_column_sum_to_be_between on total_betrag" in message


def _rows(table_dir: Path) -> int:
    with duckdb.connect() as connection:
        return connection.execute(
            "select count(*) from read_parquet($1, hive_partitioning = true)",
            [str(table_dir / "*" / "*.parquet")],
        ).fetchone()[0]


def _mart(data_dir: Path) -> list[tuple]:
    warehouse = data_dir / "warehouse" / f"{DATASET}.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            "select verkauft_am, row_count, total_betrag from query_table($1) order by 1",
            [f"agg_{DATASET}__{TABLE}_daily"],
        ).fetchall()


def _expected_from_landing(landing: Path) -> list[tuple]:
    """Sales per day straight from the delivered files: valid amounts, each receipt once."""
    with duckdb.connect() as connection:
        rows = connection.execute(
            """
            with delivered as (
                select distinct *
                from read_csv(
                    $1, delim = ';', quote = '"', escape = '"', header = true,
                    encoding = 'latin-1', all_varchar = true
                )
            ),
            valid as (
                select
                    cast("Verkauft am" as date) as sold_on,
                    try_cast("Betrag" as decimal(7, 2)) as amount
                from delivered
                where try_cast("Betrag" as decimal(7, 2)) >= 0
            )
            select sold_on, count(*), sum(amount) from valid group by sold_on order by sold_on
            """,
            [str(landing / "*.csv")],
        ).fetchall()
    return [(day, count, Decimal(total)) for day, count, total in rows]
