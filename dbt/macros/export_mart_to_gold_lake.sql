{#
    Post-hook of every mart (set for the marts folder in dbt_project.yml): copy the
    table just built to $MEDALLION_DATA_DIR/lake/gold/<dataset>/<model>.parquet, so
    readers without DuckDB (Spark, pandas, a BI tool) get the same rows.

    COPY replaces an existing file but does not create folders: build_gold() creates
    lake/gold/<dataset>/ first (by hand: mkdir -p, see README.md).
#}
{% macro export_mart_to_gold_lake() %}
{%- set gold_folder = env_var('MEDALLION_DATA_DIR') ~ '/lake/gold/' ~ var('dataset') -%}
{%- set parquet_path = gold_folder ~ '/' ~ this.identifier ~ '.parquet' -%}
copy {{ this }} to '{{ parquet_path | replace("'", "''") }}' (format parquet)
{% endmacro %}
