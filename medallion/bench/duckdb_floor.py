"""The floor: the same work as the pipeline in plain DuckDB SQL, to measure against.

Each stage of the pipeline has a SQL file in `floor/` that does its work on the same
landing data: read the files with explicit (all-string) columns into bronze parquet, type,
check and de-duplicate into silver and quarantine parquet, build the same gold marts,
and gate each layer. No Spark, no dbt, no Great Expectations: the time a stage takes
here is the least that stage's work costs on this machine.

A file's statements take named parameters (`$bronze`, `$files`, ...), bound by DuckDB,
never pasted into the SQL. The last statement's row is the stage's answer; a gate's
answer has `passed`, and a gate that did not pass fails the stage.
"""

from __future__ import annotations

import json
from pathlib import Path

FLOOR_SQL = Path(__file__).parent / "floor"


class FloorGateFailedError(RuntimeError):
    """A floor gate found the data it checks wrong: the floor is not a valid baseline."""


def run_script(script: str, values: dict[str, str]) -> dict:
    """Run `floor/<script>.sql` with its parameters; return its last row as a dict.

    `values` holds strings (from the command line); a value starting with `[` is a JSON
    list (the landing files). `database`, if given, is the DuckDB file to work in.
    """
    import duckdb

    parameters = {
        name: json.loads(value) if value.startswith("[") else value
        for name, value in values.items()
    }
    database = parameters.pop("database", ":memory:")
    sql = (FLOOR_SQL / f"{script}.sql").read_text(encoding="utf-8")
    with duckdb.connect(database) as connection:
        answer: dict = {}
        for statement in connection.extract_statements(sql):
            bound = {name: parameters[name] for name in statement.named_parameters}
            cursor = connection.execute(statement, bound)
            if cursor.description:
                names = [column[0] for column in cursor.description]
                row = cursor.fetchone()
                answer = dict(zip(names, row, strict=True)) if row else {}
    if answer.get("passed") is False:
        raise FloorGateFailedError(f"floor gate {script} failed: {answer}")
    return {name: _plain(value) for name, value in answer.items()}


def _plain(value):
    """A value JSON can hold (DuckDB returns Decimal for sums of decimals)."""
    return value if isinstance(value, bool | int | float | str | type(None)) else float(value)
