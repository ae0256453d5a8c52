"""Spark jobs of medallion-lab: landing -> bronze (ingest) and bronze -> silver (refine).

`transforms/` holds pure DataFrame -> DataFrame functions; `jobs/` holds one entrypoint
per step that only reads, calls the transforms and writes. Every job can run inside an
Airflow task (which hands it a SparkSession) or by hand with spark-submit.
"""
