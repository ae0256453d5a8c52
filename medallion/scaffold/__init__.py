"""Bring your own data: draft a contract from a CSV or JSON-lines file, scaffold its pipeline.

`medallion new-dataset NAME FILE [--table T] [--date YYYY-MM-DD]` (medallion.scaffold.command)
reads the file (sniff), infers columns (infer), drafts the contract (draft) and writes the
landing copy, contract, GX suites, dbt models and DAG (project_files, dbt_models).
See docs/bring-your-own-data.md.
"""
