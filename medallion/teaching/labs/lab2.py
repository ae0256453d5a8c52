"""Lab 2 — Transform with dbt: the checks of `make check-lab N=2`.

The participant writes the staging model of orders (the current version of each order,
the `is_revenue` flag), the daily sales mart and the mart's dbt tests. The check builds
its own silver layer first — two generated days of e-commerce data through the
project's Spark ingest and refine jobs, in `.labs/check-lab2/data/`, kept for the next
check until those jobs, the generator or the contracts change — then runs
`dbt run` and `dbt test` on it, and compares what the participant's models built with
the same figures recomputed from the silver parquet by the plain DuckDB SQL below.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from medallion.teaching.checks import CheckResult, fail, ok
from medallion.teaching.labs.base import SOLUTION_STORE, Lab, LabContext, Milestone
from medallion.teaching.labs.workspace import clean_data_dir, pointed_at

DATASET = "ecommerce"
DAYS = ("2026-11-01", "2026-11-02")
ORDERS_PER_DAY = 500  # two days of 500 re-deliver dozens of orders and cancel a few
TABLES = ("customers", "products", "order_items", "orders")
STAGING = "stg_ecommerce__orders"
MART = "agg_daily_sales"
STUDENT_FILES = (
    f"dbt/models/ecommerce/staging/{STAGING}.sql",
    f"dbt/models/ecommerce/marts/{MART}.sql",
    f"dbt/models/ecommerce/marts/{MART}.yml",
)
GRAIN = ["order_date", "category", "region", "segment"]
AGAIN = "then run `make check-lab N=2` again"

# The current version of every order, straight from silver: the reference for the
# staging model. Same order as the refine step: latest updated_at, then the later
# delivery, then the smaller row hash.
CURRENT_ORDERS_SQL = """
select order_id, status, updated_at
from read_parquet($orders, hive_partitioning = true)
qualify row_number() over (
    partition by order_id order by updated_at desc, ingest_date desc, _row_hash asc
) = 1
"""

# Revenue and order count per day and group, straight from silver: the reference for
# the mart. Written without the dbt models, so a mistake in them cannot hide here.
DAILY_SALES_SQL = """
with

orders as (
    select * from read_parquet($orders, hive_partitioning = true)
    qualify row_number() over (
        partition by order_id order by updated_at desc, ingest_date desc, _row_hash asc
    ) = 1
),

order_items as (
    select * from read_parquet($order_items, hive_partitioning = true)
    qualify row_number() over (
        partition by order_id, line_number
        order by updated_at desc, ingest_date desc, _row_hash asc
    ) = 1
),

products as (
    select * from read_parquet($products, hive_partitioning = true)
    qualify row_number() over (
        partition by product_id order by updated_at desc, ingest_date desc, _row_hash asc
    ) = 1
),

customers as (
    select * from read_parquet($customers, hive_partitioning = true)
    qualify row_number() over (
        partition by customer_id order by updated_at desc, ingest_date desc, _row_hash asc
    ) = 1
)

select
    cast(orders.order_ts as date) as order_date,
    coalesce(products.category, 'unknown') as category,
    coalesce(customers.region, 'unknown') as region,
    coalesce(customers.segment, 'unknown') as segment,
    sum(order_items.quantity * order_items.unit_price) as revenue,
    count(distinct orders.order_id) as order_count
from order_items
inner join orders on order_items.order_id = orders.order_id
left join products on order_items.product_id = products.product_id
left join customers on orders.customer_id = customers.customer_id
where orders.status not in ('cancelled', 'returned')
group by all
"""


@dataclass
class DbtRun:
    """What `dbt run` and `dbt test` did on the check's silver, and what they built."""

    data_dir: Path
    error: str | None = None
    models: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> status, message
    tests: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # model -> tests
    manifest: dict = field(default_factory=dict)

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse" / f"{DATASET}.duckdb"


_runs: dict[tuple, DbtRun] = {}


def dbt_run(context: LabContext) -> DbtRun:
    """The dbt run for the files as they are now (run once, shared by the milestones)."""
    key = (context.home, *(_digest(context.home / name) for name in STUDENT_FILES))
    if key not in _runs:
        try:
            _runs[key] = _run_dbt(context.home, _silver(context.home))
        except Exception as error:  # noqa: BLE001 - shown to the participant by milestone 1
            run = DbtRun(context.home / Path(SOLUTION_STORE).parent / "check-lab2" / "data")
            run.error = str(error) if isinstance(error, SilverBuildError) else repr(error)
            _runs[key] = run
    return _runs[key]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


# The silver layer depends on the generator, the Spark jobs and the contracts, not on
# the files of this lab: it is built once and kept until one of those changes.
SILVER_INPUTS = ("medallion", "spark", "data/contracts/ecommerce")
SILVER_STAMP = "silver-inputs.sha256"


class SilverBuildError(RuntimeError):
    """The Spark part of the check failed: not a problem of this lab's files."""


def _silver(home: Path) -> Path:
    """The check's data folder with silver built, reused when its inputs are unchanged."""
    data_dir = home / Path(SOLUTION_STORE).parent / "check-lab2" / "data"
    stamp = data_dir / SILVER_STAMP
    inputs = _inputs_digest(home)
    if stamp.exists() and stamp.read_text(encoding="utf-8") == inputs:
        for built_by_dbt in (data_dir / "warehouse", data_dir / "lake" / "gold"):
            shutil.rmtree(built_by_dbt, ignore_errors=True)
        return data_dir
    data_dir = clean_data_dir(home, 2)
    try:
        _build_silver(home, data_dir)
    except Exception as error:
        raise SilverBuildError(
            f"the check could not build its silver layer with the project's Spark jobs "
            f"({type(error).__name__}: {error}). Lab 2 needs Lab 1's ingest to work: finish "
            f"Lab 1, or put its solution back with `make lab-solution N=1`"
        ) from error
    stamp.write_text(inputs, encoding="utf-8")
    return data_dir


def _inputs_digest(home: Path) -> str:
    digest = hashlib.sha256()
    for folder in SILVER_INPUTS:
        for path in sorted((home / folder).rglob("*")):
            if path.suffix in (".py", ".yml") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(home).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


FIXTURE = {"published_by": "make check-lab N=2, its own silver fixture (no gate)"}


def _build_silver(home: Path, data_dir: Path) -> None:
    """Two generated days through the project's Spark ingest and refine jobs."""
    from medallion.generate.ecommerce import generate_ecommerce
    from medallion.publication import publish_partition
    from spark.jobs import ingest_to_bronze, refine_to_silver
    from spark.session import local_session

    with pointed_at(home, data_dir):
        start = date.fromisoformat(DAYS[0])
        generate_ecommerce(data_dir / "landing" / DATASET, start, len(DAYS), ORDERS_PER_DAY, 42)
        spark = local_session("check-lab-2")
        # The jobs write candidates; published at once (no gate: this lab is about dbt, and
        # the fixture's data is the generator's, checked by the pipeline's own tests).
        for ds in DAYS:
            for table in TABLES:
                ingest_to_bronze.run(spark, DATASET, table, ds)
                publish_partition("bronze", DATASET, table, ds, audit=FIXTURE)
            for table in TABLES:
                refine_to_silver.run(spark, DATASET, table, ds)
                for layer in ("silver", "quarantine"):
                    publish_partition(layer, DATASET, table, ds, audit=FIXTURE)


def _run_dbt(home: Path, data_dir: Path) -> DbtRun:
    from dbt.cli.main import dbtRunner

    run = DbtRun(data_dir)
    work = data_dir.parent
    project = home / "dbt"
    # DuckDB creates the warehouse file, and the marts' export hook writes parquet, but
    # neither creates folders.
    run.warehouse.parent.mkdir(parents=True, exist_ok=True)
    (data_dir / "lake" / "gold" / DATASET).mkdir(parents=True, exist_ok=True)
    arguments = ["--no-use-colors", "--no-send-anonymous-usage-stats", "--log-level", "none"]
    arguments += ["--project-dir", str(project), "--profiles-dir", str(project)]
    arguments += ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    arguments += ["--select", f"path:models/{DATASET}", "--vars", json.dumps({"dataset": DATASET})]
    with pointed_at(home, data_dir):
        try:
            # `run` then `test`, not `build`: build skips the mart when a staging test
            # fails, and each milestone should see its own model built.
            built = dbtRunner().invoke(["run", *arguments])
            tested = dbtRunner().invoke(["test", *arguments]) if built.exception is None else None
        finally:
            _close_warehouse()
    if built.exception is not None:
        run.error = f"{type(built.exception).__name__}: {built.exception}"
        return run
    for result in built.result.results:
        run.models[result.node.name] = (str(result.status), (result.message or "").strip())
    run.manifest = json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))
    if tested is not None and tested.exception is None:
        for result in tested.result.results:
            for model in _tested_models(result.node):
                entry = (result.node.name, str(result.status), (result.message or "").strip())
                run.tests.setdefault(model, []).append(entry)
    return run


def _tested_models(node) -> list[str]:
    """The models a test is about: the one a generic test is attached to, else (a unit test,
    a singular test) every model it reads."""
    attached = getattr(node, "attached_node", None)
    names = [attached] if attached else node.depends_on.nodes
    return [name.split(".")[-1] for name in names if name.startswith("model.")]


def _close_warehouse() -> None:
    """dbt-duckdb keeps the warehouse open after an in-process run (see dbt/profiles.yml,
    keep_open); close it so this check can read the file."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    if DuckDBConnectionManager._ENV is not None:
        DuckDBConnectionManager._ENV.close()
    DuckDBConnectionManager.close_all_connections()


def _silver_sql(run: DbtRun, sql: str) -> list[tuple]:
    import duckdb

    silver = run.data_dir / "lake" / "silver" / DATASET
    paths = {table: str(silver / table / "*" / "*.parquet") for table in TABLES}
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        return connection.execute(
            sql, {name: paths[name] for name in TABLES if f"${name}" in sql}
        ).fetchall()


def _warehouse_sql(run: DbtRun, sql: str) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(run.warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


# --- the milestones ----------------------------------------------------------------------


def models_build(context: LabContext) -> CheckResult:
    run = dbt_run(context)
    name = "dbt run"
    if run.error:
        return fail(
            name,
            run.error if run.error.startswith("the check") else f"dbt could not run: {run.error}",
            f"fix the file and line the message names, {AGAIN}",
        )
    broken = []
    for model in (STAGING, MART):
        status, message = run.models.get(model, ("not run", ""))
        if status != "success":
            broken.append(f"{model} [{status}] {message}")
    if broken:
        return fail(
            name,
            "; ".join(broken),
            f"read dbt's message: it names the model and the SQL error; the compiled SQL is in "
            f"{run.data_dir.parent / 'target' / 'compiled'}; {AGAIN}",
        )
    built = sum(status == "success" for status, _ in run.models.values())
    return ok(name, f"{built} models of {DATASET} built, among them {STAGING} and {MART}")


def staging_keeps_current_versions(context: LabContext) -> CheckResult:
    run = dbt_run(context)
    if blocked := _blocked(run, STAGING):
        return blocked
    name = "current versions"
    rows, distinct = _warehouse_sql(
        run, "select count(*), count(distinct order_id) from stg_ecommerce__orders"
    )[0]
    expected = {
        order_id: (status, updated_at)
        for order_id, status, updated_at in _silver_sql(run, CURRENT_ORDERS_SQL)
    }
    fix = (
        f"in {STUDENT_FILES[0]} keep one row per order_id: the latest updated_at, then the "
        f"latest ingest_date, then the smallest _row_hash (`qualify row_number() over (...) = 1`), "
        f"{AGAIN}"
    )
    if rows != distinct:
        return fail(
            name,
            f"{STAGING} has {rows} rows for {distinct} orders: {rows - distinct} are older "
            f"versions of orders delivered again on a later day",
            fix,
        )
    found = {
        order_id: (status, updated_at)
        for order_id, status, updated_at in _warehouse_sql(
            run, "select order_id, status, updated_at from stg_ecommerce__orders"
        )
    }
    if set(found) != set(expected):
        return fail(name, f"{STAGING} has {len(found)} orders, silver has {len(expected)}", fix)
    older = [order_id for order_id, version in found.items() if version != expected[order_id]]
    if older:
        return fail(
            name,
            f"{len(older)} orders are not at their current version, e.g. {older[0]}: "
            f"{found[older[0]]} instead of {expected[older[0]]}",
            fix,
        )
    return ok(
        name, f"{rows} orders, each once, at its latest version ({DAYS[0]} and {DAYS[1]} delivered)"
    )


def flags_revenue(context: LabContext) -> CheckResult:
    run = dbt_run(context)
    if blocked := _blocked(run, STAGING):
        return blocked
    name = "is_revenue"
    wrong = _warehouse_sql(
        run,
        "select status, is_revenue, count(*) from stg_ecommerce__orders "
        "where is_revenue is distinct from (status not in ('cancelled', 'returned')) "
        "group by all order by all",
    )
    if wrong:
        listed = ", ".join(
            f"{count} '{status}' orders have is_revenue {flag}" for status, flag, count in wrong
        )
        return fail(
            name,
            listed,
            f"in {STUDENT_FILES[0]} is_revenue is false for cancelled and returned orders and "
            f"true otherwise, {AGAIN}",
        )
    [(excluded,)] = _warehouse_sql(
        run, "select count(*) from stg_ecommerce__orders where not is_revenue"
    )
    return ok(name, f"{excluded} cancelled or returned orders earn no revenue")


def mart_matches_silver(context: LabContext) -> CheckResult:
    run = dbt_run(context)
    if blocked := _blocked(run, MART):
        return blocked
    name = "gold = silver"
    expected = {tuple(row[:4]): row[4:] for row in _silver_sql(run, DAILY_SALES_SQL)}
    found = {
        tuple(row[:4]): row[4:]
        for row in _warehouse_sql(
            run,
            "select order_date, category, region, segment, revenue, order_count from agg_daily_sales",
        )
    }
    fix = (
        f"in {STUDENT_FILES[1]} group the lines of revenue orders (is_revenue) by "
        f"{', '.join(GRAIN)}: revenue = sum(line_revenue), order_count = "
        f"count(distinct order_id); {AGAIN}"
    )
    if found != expected:
        return fail(name, _difference(found, expected), fix)
    shown = ", ".join(
        f"{day}: {revenue:,.2f} EUR" for day, revenue in _revenue_per_day(expected).items()
    )
    return ok(name, f"{len(found)} groups agree with silver ({shown})")


def _revenue_per_day(groups: dict[tuple, tuple]) -> dict:
    days: dict = {}
    for (day, *_), (revenue, _orders) in sorted(groups.items()):
        days[day] = days.get(day, Decimal(0)) + (revenue or 0)
    return days


def _difference(found: dict, expected: dict) -> str:
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    if missing or extra:
        return (
            f"{MART} has {len(found)} groups, silver gives {len(expected)} "
            f"(missing: {_groups(missing)}; not in silver: {_groups(extra)})"
        )
    wrong = [key for key in sorted(expected) if found[key] != expected[key]]
    key = wrong[0]
    yours, silvers = _revenue_per_day(found), _revenue_per_day(expected)
    days = "; ".join(
        f"{day}: yours {yours[day]:,.2f}, silver {silvers[day]:,.2f} EUR" for day in silvers
    )
    return (
        f"{len(wrong)} of {len(expected)} groups differ, e.g. {_groups([key])}: revenue "
        f"{found[key][0]}, order_count {found[key][1]}; silver says {expected[key][0]} and "
        f"{expected[key][1]}. Revenue per day: {days}"
    )


def _groups(keys: list[tuple]) -> str:
    """The first few groups as `2026-11-01 / books / north / consumer`."""
    shown = ", ".join(" / ".join(map(str, key)) for key in keys[:3])
    return (shown + (", ..." if len(keys) > 3 else "")) or "none"


def mart_is_tested(context: LabContext) -> CheckResult:
    run = dbt_run(context)
    if blocked := _blocked(run, MART):
        return blocked
    name = f"{MART}.yml"
    tests = [
        node
        for node in run.manifest.get("nodes", {}).values()
        if node["resource_type"] == "test"
        and node.get("attached_node") == f"model.medallion.{MART}"
    ]
    kinds = {
        (node["test_metadata"]["name"], node.get("column_name"))
        for node in tests
        if node.get("test_metadata")
    }
    grain_tested = any(
        node.get("test_metadata", {}).get("name") == "unique_combination"
        and sorted(node["test_metadata"].get("kwargs", {}).get("columns", [])) == sorted(GRAIN)
        for node in tests
    )
    missing = [] if grain_tested else [f"unique_combination on [{', '.join(GRAIN)}]"]
    missing += [
        f"not_null on {column}"
        for column in ("order_date", "revenue", "order_count")
        if ("not_null", column) not in kinds
    ]
    unit_tests = [
        test for test in run.manifest.get("unit_tests", {}).values() if test["model"] == MART
    ]
    if not unit_tests:
        missing.append("a unit test (unit_tests:)")
    if missing:
        return fail(
            name,
            f"{STUDENT_FILES[2]} does not test: {'; '.join(missing)}",
            f"add them where the TODOs in {STUDENT_FILES[2]} say, {AGAIN}",
        )
    return ok(name, f"{len(tests)} data tests and {len(unit_tests)} unit test(s) on {MART}")


def tests_pass(context: LabContext) -> CheckResult:
    run = dbt_run(context)
    if blocked := _blocked(run, STAGING):
        return blocked
    name = "dbt test"
    results = [test for model in (STAGING, MART) for test in run.tests.get(model, [])]
    if not results:
        return fail(
            name, "dbt test ran no tests on your models", f"add tests to the yml files, {AGAIN}"
        )
    failing = [test for test in results if test[1] not in ("pass", "warn", "success")]
    if failing:
        listed = "; ".join(f"{test} [{status}] {message}" for test, status, message in failing[:4])
        return fail(
            name,
            f"{len(failing)} of {len(results)} tests on {STAGING} and {MART} fail: {listed}",
            f"each name says what it checks: fix the model it tests, {AGAIN}",
        )
    return ok(name, f"all {len(results)} tests on {STAGING} and {MART} pass")


def _blocked(run: DbtRun, model: str) -> CheckResult | None:
    """Milestones that look at a model need it built: otherwise point at milestone 1."""
    if run.error or run.models.get(model, ("",))[0] != "success":
        return fail("", f"{model} was not built", "get milestone 1 passing first")
    return None


LAB = Lab(
    number=2,
    title="Transform with dbt",
    student_files=STUDENT_FILES,
    milestones=(
        Milestone(f"dbt builds {STAGING} and {MART}", models_build),
        Milestone(
            f"{STAGING} keeps the current version of each order, once",
            staging_keeps_current_versions,
        ),
        Milestone("cancelled and returned orders are not revenue", flags_revenue),
        Milestone(
            f"{MART} agrees with revenue and orders recomputed from silver", mart_matches_silver
        ),
        Milestone(f"{MART}.yml tests the mart's grain and key figures", mart_is_tested),
        Milestone(f"the dbt tests on {STAGING} and {MART} pass", tests_pass),
    ),
)
