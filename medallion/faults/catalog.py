"""The scenarios of the "Break it!" lab, by name: what each breaks and what to expect.

A scenario has variants (each one fault); without VARIANT all of them are injected at
once, into different tables where possible, so one run shows every behaviour.
docs/resilience.md holds the same facts as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medallion.faults import deliveries, environment, network, unreadable
from medallion.faults.crash import crash_silver_orders
from medallion.faults.deliveries import Injection


@dataclass(frozen=True)
class Scenario:
    name: str
    breaks: str
    variants: dict[str, Injection] = field(default_factory=dict)
    run: str = 'make run DATES="{ds}"   (or trigger ecommerce_daily for {ds} in the UI)'
    pipeline_does: str = ""
    you_see: str = ""
    recover: str = ""
    needs_date: bool = True
    # Break the day before the latest delivery, so that a later day is there to run after it.
    breaks_day_before_latest: bool = False


SCENARIOS = {
    scenario.name: scenario
    for scenario in [
        Scenario(
            name="corrupt-file",
            breaks="the deliveries of {ds}: unreadable files and unparseable rows",
            variants={
                "unparseable-rows": deliveries.add_unparseable_rows,
                "truncated": deliveries.add_truncated_file,
                "binary": deliveries.add_binary_file,
                "wrong-encoding": deliveries.add_latin1_file,
                "zero-byte": deliveries.add_empty_file,
            },
            pipeline_does=(
                "each ingest task screens its files first; an unreadable file (empty, binary, "
                "wrong encoding, cut short) is moved to data/lake/quarantine/ecommerce/_files/"
                "<table>/{ds}/ with a .reason.json, the task fails at once (no retries) and "
                "loads nothing; unparseable rows in a readable file are quarantined row by "
                "row (reason unparseable_row) and the run goes on"
            ),
            you_see=(
                "bronze.ingest_order_items, ingest_products, ingest_customers and ingest_events "
                "failed on the first try, each log naming the file and the reason; one "
                "failure alert per failed task; orders run through silver (3 rows quarantined); "
                "gold is not rebuilt (upstream_failed)"
            ),
            recover=(
                "the bad files are out of landing (see the quarantine folder); a re-delivered "
                "good file goes into landing/ecommerce/<table>/{ds}/; then re-run the date "
                "(or clear the failed tasks): gold equals a clean run's"
            ),
        ),
        Scenario(
            name="unreadable-input",
            breaks="the deliveries of {ds}: files no parser was tuned for",
            variants={
                "huge-field": unreadable.add_huge_field,
                "gzip-as-csv": unreadable.gzip_under_csv_name,
                "wrong-delimiter": unreadable.use_semicolons,
                "repeated-header": unreadable.repeat_header,
                "gzip-named": unreadable.deliver_gzip_named,
            },
            pipeline_does=(
                "each file is parsed once as its contract says before Spark reads it: a field "
                "longer than source.max_field_chars or a header split by another delimiter "
                "moves the file to the file quarantine with its reason (field_too_large, "
                "wrong_delimiter) and fails the task at once; a .csv.gz file is read as it is, "
                "and gzip under a .csv name is renamed to .csv.gz and read too; a header line "
                "inside a file is quarantined as one row with the reason repeated_header"
            ),
            you_see=(
                "bronze.ingest_orders and ingest_customers failed on the first try, make run "
                "printing their errors first: orders-part-00001.csv, line 2, column "
                "'payment_method'; the semicolon found and the comma expected; products load "
                "from products-part-00000.csv.gz (renamed, a warning in the log); order_items "
                "load from the .gz file, one row quarantined as repeated_header"
            ),
            recover=(
                "re-deliver the quarantined files (or raise source.max_field_chars in the "
                "contract if long fields are real), then re-run the date"
            ),
        ),
        Scenario(
            name="empty-delivery",
            breaks="the customers of {ds}: a file with the header and no rows",
            variants={"header-only": unreadable.header_only},
            pipeline_does=(
                "an empty delivery is the contract's choice: allow_empty: false (the default) "
                "fails the ingest at once and leaves the file in landing; allow_empty: true "
                "loads an empty partition, the bronze gate passes and gold is built"
            ),
            you_see=(
                "bronze.ingest_customers failed on the first try: the delivery holds no rows "
                "and the contract does not allow an empty delivery"
            ),
            recover=(
                "ask the source whether the day really had no rows; if such days are normal, "
                "add `allow_empty: true` to data/contracts/ecommerce/customers.yml (the bronze "
                "gate reads it at run time), then clear the task or re-run the date"
            ),
        ),
        Scenario(
            name="duplicate-delivery",
            breaks="the orders of {ds}: the same file twice and yesterday's rows again",
            variants={
                "same-file": deliveries.redeliver_same_file,
                "overlap": deliveries.overlap_previous_day,
            },
            pipeline_does=(
                "exact copies are quarantined as duplicate_row, older versions of a key as "
                "superseded_in_delivery (both do not count as rejected rows); rows already "
                "delivered on an earlier day are kept per delivery in silver and dbt's "
                "staging keeps one current version per key"
            ),
            you_see=(
                "the run succeeds; the summary shows the duplicates in quarantine; fct_orders "
                "has the same rows as before (re-running any date changes nothing either)"
            ),
            recover="nothing to do: that is what idempotent means",
        ),
        Scenario(
            name="failed-gate",
            breaks="the orders of {ds}: one order's amount no longer matches its lines",
            variants={"amount-mismatch": deliveries.break_an_order_amount},
            run='make run DATES="{ds}", then the next day: make run DATES="{following}"',
            breaks_day_before_latest=True,
            pipeline_does=(
                "write - audit - publish: refine writes silver orders {ds} as a candidate; the "
                "silver gate finds the amount that differs from its lines and fails at once, so "
                "the candidate is never published; readers (dbt, the summary) see only "
                "published partitions, so the next day's gold is built without it"
            ),
            you_see=(
                "silver.validate_silver_orders failed, its message ends 'Not published: ...' "
                "naming where the rejected version waits; make checkpoint Q=bronze lists it "
                "as written but not published; after {following}, gold has no trace of the "
                "broken order (fct_orders never says 0.00 for it)"
            ),
            recover=(
                "re-deliver the source's correct file (the cp command above), re-run {ds}: "
                "the gate passes, publishes the date, and gold equals a clean run's"
            ),
        ),
        Scenario(
            name="late-data",
            breaks="the orders of {previous}: 10% of them are held back and delivered on {ds}",
            variants={"late": deliveries.deliver_late},
            run='make run DATES="{previous} {ds}"   (the day before without them, then {ds})',
            pipeline_does=(
                "late rows are loaded with the delivery that brings them (ingest_date={ds}) "
                "and gold aggregates by the business date (order_ts), so they land in the "
                "day they belong to"
            ),
            you_see=(
                "after {previous}: agg_daily_sales for {previous} is lower; after {ds}: it is "
                "back to the figure of a clean run"
            ),
            recover="nothing to do: late data merges by itself",
        ),
        Scenario(
            name="schema-drift",
            breaks="the deliveries of {ds}: an added, a missing and a changed column",
            variants={
                "added-column": deliveries.add_column,
                "missing-column": deliveries.drop_column,
                "changed-type": deliveries.change_amount_format,
            },
            pipeline_does=(
                "an added column (products.supplier) is kept in bronze and flagged in the log "
                "and the commit marker (extra_columns); a missing contract column "
                "(customers.email) fails ingest_customers at once; a changed type (amount "
                "'12,50') makes every order invalid_type:amount, so the silver gate fails"
            ),
            you_see=(
                "ingest_products succeeds with a warning about 'supplier'; ingest_customers "
                "fails naming the file and the missing column; validate_silver_orders fails "
                "with the rejected share and examples; gold is not rebuilt"
            ),
            recover=(
                "get the export fixed and re-delivered, or change the contract in "
                "data/contracts/ecommerce/ on purpose and regenerate the gates (python -m "
                "medallion.quality.build_suites); then re-run the date"
            ),
        ),
        Scenario(
            name="network-timeout",
            breaks="the products of {ds}: they now come from an HTTP API that fails at first",
            variants={"flaky-api": network.inject},
            pipeline_does=(
                "bronze.extract_products_api pages through the API with connect and read "
                "timeouts; a 503, 429, 5xx, timeout or cut-off body is retried with "
                "exponential backoff and jitter, waiting at least what Retry-After asks; a "
                "401/404 would fail at once; if the API stays down the task fails and "
                "Airflow retries it minutes later"
            ),
            you_see=(
                "the extract_products_api log: 3 warnings 'attempt n/5 failed (HTTP 503); "
                "retrying in 2.00 s', then 'products {ds}: n pages, n rows'; the run succeeds "
                "and gold is what it was"
            ),
            recover=(
                "nothing to do: the source recovered and the retries got the data; make reset "
                "stops the API"
            ),
        ),
        Scenario(
            name="crash-mid-write",
            breaks="the silver job of orders on {ds}, killed with SIGKILL while writing",
            variants={"kill-refine": crash_silver_orders},
            pipeline_does=(
                "the job writes only a candidate (silver/ecommerce/orders/_candidates/), its "
                "commit marker last; readers see the published partition, which only a "
                "passed gate replaces; a killed job leaves it and its marker untouched"
            ),
            run="(this scenario runs the job and kills it itself)",
            you_see=(
                "the report below: the job was killed mid-write and silver orders {ds} still "
                "reads completely, with the row count of its commit marker"
            ),
            recover="re-run the date (or the refine task): it completes and replaces the partition",
        ),
        Scenario(
            name="metrics-down",
            breaks="the Pushgateway: metrics are pushed to a closed port",
            variants={"pushgateway": lambda ds: environment.pushgateway_down()},
            pipeline_does=(
                "each push times out after 2 s, is logged once as a warning and never fails "
                "a task: metrics are not worth losing data over"
            ),
            you_see="the run succeeds; task logs say the metrics were not pushed",
            run="make run   (any date: the fault is in the environment, not in the data)",
            recover="rm .airflow/faults.env (or make reset); make monitor starts a Pushgateway",
            needs_date=False,
        ),
        Scenario(
            name="webhook-down",
            breaks="the alert webhook: failure messages go to a closed port",
            variants={"webhook": lambda ds: environment.webhook_down()},
            pipeline_does=(
                "each alert channel is tried on its own: the webhook failure is logged, the "
                "e-mail (if configured) still goes out, and the task's outcome is unchanged"
            ),
            you_see=(
                "combine it with a failing scenario (e.g. corrupt-file): the failed task's "
                "log says the webhook could not be reached; the run fails as it would anyway"
            ),
            run="make break SCENARIO=corrupt-file && make run   (a failure to alert about)",
            recover="rm .airflow/faults.env (or make reset)",
            needs_date=False,
        ),
    ]
}
