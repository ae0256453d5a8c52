"""The shop's PostgreSQL for the JDBC source demo, on this machine, without Docker.

    make source-db        start it, load the generated deliveries of START and DAYS into
                          it, and print the two settings that make the DAG extract from it
    make source-db-stop   stop it (`make reset` does too)

It is a cluster of the project's own (medallion.local_servers.postgres): `initdb` under
$AIRFLOW_HOME/postgres, 127.0.0.1, port $MEDALLION_SOURCE_DB_PORT (15432), trust
authentication for that cluster only, a database `shop` owned by a role `shop`. The
deliveries are generated first when the landing folder has none for those dates.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import date, timedelta
from pathlib import Path

from medallion.local_servers.postgres import LocalPostgres, PostgresError
from medallion.settings import load_settings

DATABASE = "shop"
DEFAULT_PORT = 15432


def server() -> LocalPostgres:
    folder = Path(os.environ["AIRFLOW_HOME"]) / "postgres"
    return LocalPostgres(folder, int(os.environ.get("MEDALLION_SOURCE_DB_PORT", DEFAULT_PORT)))


def connection_json(port: int) -> str:
    """The Airflow connection `ecommerce_source` for this database (no password: trust)."""
    connection = {
        "conn_type": "postgres",
        "host": "127.0.0.1",
        "port": port,
        "login": DATABASE,
        "schema": DATABASE,
    }
    return json.dumps(connection)


def up(start: date, days: int) -> None:
    import psycopg

    from medallion.generate.ecommerce import generate_ecommerce
    from medallion.sources.seed import seed

    dates = [str(start + timedelta(days=offset)) for offset in range(days)]
    landing = load_settings().landing_dir / "ecommerce"
    if not all((landing / "orders" / ds).is_dir() for ds in dates):
        generate_ecommerce(out_dir=landing, start=start, days=days, orders_per_day=500, seed=7)
    postgres = server()
    postgres.start()
    if not postgres.database_exists(DATABASE):
        postgres.create_database(DATABASE, owner=DATABASE)
    # As the shop's own role, which then owns the tables the extract reads.
    url = f"postgresql://{DATABASE}@127.0.0.1:{postgres.port}/{DATABASE}"
    with psycopg.connect(url) as connection:
        seed(connection, dates)
    print(
        f"\nThe shop's database runs on {url} with the deliveries of "
        f"{dates[0]} to {dates[-1]}. Extract from it instead of the landing files:\n\n"
        f"  export MEDALLION_ECOMMERCE_SOURCE=postgres\n"
        f"  export AIRFLOW_CONN_ECOMMERCE_SOURCE='{connection_json(postgres.port)}'\n"
        f'  make run DATES="{" ".join(dates)}"\n\n'
        f"Stop it with make source-db-stop."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "stop"])
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 11, 1))
    parser.add_argument("--days", type=int, default=3)
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            up(args.start, args.days)
        elif server().is_running():
            server().stop()
            print("the shop's database is stopped")
    except PostgresError as error:
        print(f"error: {error}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
