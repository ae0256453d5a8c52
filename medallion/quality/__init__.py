"""Quality gates: Great Expectations checkpoints between the layers of the lake.

    gates.py            validate_bronze / validate_silver / validate_gold (what the DAG calls)
    contract_suites.py  bronze and silver expectations derived from the data contracts
    business_rules.py   silver checks a contract cannot express (amount = Σ items, ...)
    gold_suites.py      gold marts' grains and their reconciliation with silver
    silver_totals.py    the silver figures gold must match, recomputed with DuckDB
    frames.py           lake partitions read into pandas with pyarrow
    checkpoints.py      running a committed checkpoint and reading its result
    results.py          GateResult records and the GateFailedError message
    build_suites.py     writes great_expectations/ from the contracts (a command)
    docs.py             prints or serves the Data Docs (a command; `make docs`)
    project.py          where the GX project lives and how its parts are named

Nothing here imports Great Expectations at module level: it costs 3-5 s.
"""
