"""Deterministic sample data for the labs: landing files the pipeline ingests.

`medallion generate ecommerce` calls `ecommerce.generate_ecommerce`; its docstring
describes the data and every quirk a pipeline must cope with.
"""
