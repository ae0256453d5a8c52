"""Faults for the "Break it!" lab: each one a scenario a student injects with one command.

    make break SCENARIO=corrupt-file            (python -m medallion.faults corrupt-file)
    make break SCENARIO=schema-drift VARIANT=missing-column DS=2026-11-03

A scenario changes the landing zone, a source or the environment the way real life
does, and prints what it changed, what to run, what the pipeline will do and how to
recover. `make reset` then `make demo` restores a clean state. The table of scenarios
and the behaviour the pipeline guarantees for each is in docs/resilience.md; the tests
in tests/resilience/ check those guarantees.

- `catalog`: the scenarios by name, with their texts
- `landing`: the file faults (corrupt files, duplicates, late data, schema drift)
- `crash`: a silver job killed with SIGKILL while it writes
- `environment`: the Pushgateway or the alert webhook made unreachable
"""
