{#
    Post-hook of every mart (set for the marts folder in dbt_project.yml): copy the
    table just built to $MEDALLION_DATA_DIR/lake/gold/<dataset>/<model>.parquet, so
    readers without DuckDB (Spark, pandas, a BI tool) get the same rows. With the var
    candidate: true (what build_gold() passes) the copy goes to the candidate folder
    lake/gold/_candidates/<dataset>/ instead, published once the gold gate passes.

    COPY replaces an existing file but does not create folders: build_gold() creates
    the folder first (by hand: mkdir -p, see README.md).
#}
{% macro export_mart_to_gold_lake() %}
{%- set gold_root = env_var('MEDALLION_DATA_DIR') ~ '/lake/gold/' -%}
{%- set stage = '_candidates/' if var('candidate', false) else '' -%}
{%- set gold_folder = gold_root ~ stage ~ var('dataset') -%}
{%- set parquet_path = gold_folder ~ '/' ~ this.identifier ~ '.parquet' -%}
copy {{ this }} to '{{ parquet_path | replace("'", "''") }}' (format parquet)
{% endmacro %}
