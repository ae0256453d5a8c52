"""A PostgreSQL server of the project's own, from the binaries of a local install.

Nothing must run beforehand and nothing is shared with other programs: `LocalPostgres`
runs `initdb` into a folder of its own, starts `postgres` there on 127.0.0.1 at a port of
its own, with trust authentication for that cluster only, and stops it again.

    python -m medallion.local_servers.postgres start --dir .airflow/postgres --port 15432
    python -m medallion.local_servers.postgres status --dir .airflow/postgres
    python -m medallion.local_servers.postgres stop --dir .airflow/postgres

Tests start a throw-away one per test session (tests/conftest.py); `make source-db` keeps
one under .airflow/ for the JDBC source demo. The binaries come from Debian's `postgresql`
package (/usr/lib/postgresql/<major>/bin, not on the PATH) or Homebrew's `postgresql@16`.

`initdb` and `postgres` refuse to run as root. Run as root (CI does), the cluster is
created and run as the `postgres` system user that Debian's package creates, in a folder
that user owns.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

INSTALL_HINT = (
    "install PostgreSQL's server binaries: `sudo apt-get install postgresql` (Debian, "
    "Ubuntu, WSL2) or `brew install postgresql@16` (macOS); nothing needs to run"
)
# Debian and Ubuntu keep the server binaries off the PATH, one folder per major version;
# Homebrew's versioned formulae are keg-only.
BINARY_FOLDERS = (
    "/usr/lib/postgresql/*/bin",
    "/opt/homebrew/opt/postgresql@*/bin",
    "/usr/local/opt/postgresql@*/bin",
)
SUPERUSER = "postgres"
SYSTEM_USER = "postgres"  # who runs the cluster when we are root
# A throw-away cluster never needs to survive a power cut: skipping the flushes makes
# initdb and every write several times faster.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
    "shared_buffers": "64MB",
    "log_min_messages": "warning",
}


class PostgresError(RuntimeError):
    """The server could not be found, created or started; the message says what to do."""


def find_binaries() -> Path | None:
    """The folder holding `initdb`, `pg_ctl` and `postgres`, newest major version first."""
    on_path = shutil.which("pg_ctl")
    if on_path and (Path(on_path).parent / "initdb").exists():
        return Path(on_path).parent
    candidates = [
        folder
        for pattern in BINARY_FOLDERS
        for folder in Path("/").glob(pattern.lstrip("/"))
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists()
    ]
    return max(candidates, key=_major_version, default=None)


def _major_version(folder: Path) -> int:
    digits = "".join(c for c in folder.parent.name.split("@")[-1] if c.isdigit())
    return int(digits or 0)


class LocalPostgres:
    """One cluster in `folder` (its data in `folder/data`, its log in `folder/postgres.log`)."""

    def __init__(self, folder: Path, port: int, binaries: Path | None = None):
        self.folder = Path(folder).resolve()
        self.data = self.folder / "data"
        self.log_file = self.folder / "postgres.log"
        self.port = port
        self.binaries = binaries or find_binaries()
        if self.binaries is None:
            raise PostgresError(f"PostgreSQL is not installed: {INSTALL_HINT}")
        self._run_as = _system_user() if os.geteuid() == 0 else None

    # -- what clients need --------------------------------------------------------
    def dsn(self, database: str = "postgres") -> str:
        """A libpq connection string (psycopg, psql)."""
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={database}"

    def url(self, database: str = "postgres", driver: str = "postgresql") -> str:
        """A URL: `postgresql` for libpq, `postgresql+psycopg2` for SQLAlchemy (Airflow)."""
        return f"{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def jdbc_url(self, database: str) -> str:
        return f"jdbc:postgresql://127.0.0.1:{self.port}/{database}"

    # -- life cycle -----------------------------------------------------------------
    def start(self, timeout_seconds: float = 60) -> LocalPostgres:
        """Create the cluster if the folder has none, then start it and wait until it
        accepts connections. Starting a running cluster does nothing."""
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        self._write_settings()
        if self.is_running():
            return self
        completed = self._pg_ctl(
            "start", "-w", "-t", str(int(timeout_seconds)), "-l", str(self.log_file)
        )
        if completed.returncode != 0:
            raise PostgresError(
                f"PostgreSQL did not start on 127.0.0.1:{self.port} ({self.data}): "
                f"{completed.stdout.strip()} {completed.stderr.strip()}\n"
                f"its log {self.log_file}:\n{self._log_tail()}"
            )
        return self

    def stop(self) -> None:
        """Fast shutdown: open sessions are ended, the data stays on disk."""
        if self.is_running():
            self._pg_ctl("stop", "-m", "fast", "-w", "-t", "30")

    def remove(self) -> None:
        """Stop the server and delete its folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def is_running(self) -> bool:
        if not (self.data / "PG_VERSION").exists():
            return False
        return self._pg_ctl("status").returncode == 0

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.remove()

    # -- databases --------------------------------------------------------------------
    def create_database(self, name: str, owner: str | None = None) -> str:
        """Create a database (and its owner role, without a password: trust auth)."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn(), autocommit=True) as admin:
            if (
                owner
                and not admin.execute(
                    "select 1 from pg_roles where rolname = %s", (owner,)
                ).fetchone()
            ):
                admin.execute(sql.SQL("create role {} login").format(sql.Identifier(owner)))
            statement = sql.SQL("create database {}").format(sql.Identifier(name))
            if owner:
                statement += sql.SQL(" owner {}").format(sql.Identifier(owner))
            admin.execute(statement)
        return name

    def drop_database(self, name: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn(), autocommit=True) as admin:
            admin.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )

    def database_exists(self, name: str) -> bool:
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as admin:
            query = "select 1 from pg_database where datname = %s"
            return admin.execute(query, (name,)).fetchone() is not None

    # -- helpers ------------------------------------------------------------------------
    def _initdb(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._run_as is not None:
            # The system user must own the folder and be able to reach it.
            os.chown(self.folder, self._run_as.pw_uid, self._run_as.pw_gid)
            _check_reachable(self.folder, self._run_as)
        completed = self._run(
            self.binaries / "initdb", "-D", str(self.data), "-U", SUPERUSER,
            "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        if completed.returncode != 0:
            raise PostgresError(f"initdb failed in {self.data}:\n{completed.stderr.strip()}")

    def _write_settings(self) -> None:
        """Our settings (and the port) in a file the cluster's config includes."""
        settings = {**SETTINGS, "port": str(self.port)}
        body = "".join(f"{key} = {value}\n" for key, value in settings.items())
        own = self.data / "medallion.conf"
        own.write_text(body, encoding="utf-8")
        main = self.data / "postgresql.conf"
        if "include_if_exists = 'medallion.conf'" not in main.read_text(encoding="utf-8"):
            with main.open("a", encoding="utf-8") as handle:
                handle.write("\ninclude_if_exists = 'medallion.conf'\n")
        if self._run_as is not None:
            os.chown(own, self._run_as.pw_uid, self._run_as.pw_gid)

    def _pg_ctl(self, *arguments: str) -> subprocess.CompletedProcess:
        return self._run(self.binaries / "pg_ctl", "-D", str(self.data), *arguments)

    def _run(self, *command) -> subprocess.CompletedProcess:
        user = (
            {}
            if self._run_as is None
            else {"user": self._run_as.pw_uid, "group": self._run_as.pw_gid, "extra_groups": []}
        )
        return subprocess.run(
            [str(part) for part in command], capture_output=True, text=True, timeout=120,
            cwd=self.folder, stdin=subprocess.DEVNULL, **user,
        )  # fmt: skip

    def _log_tail(self, characters: int = 2000) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-characters:]
        except OSError:
            return "(no log)"


def _system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise PostgresError(
            f"PostgreSQL refuses to run as root, and there is no {SYSTEM_USER!r} user to run "
            f"it as: run as an ordinary user, or {INSTALL_HINT}"
        ) from None


def _check_reachable(folder: Path, user: pwd.struct_passwd) -> None:
    """Every parent folder must let the system user pass (a 0700 home folder does not)."""
    for parent in folder.parents:
        mode = parent.stat().st_mode
        if not mode & 0o001 and parent.stat().st_uid != user.pw_uid:
            raise PostgresError(
                f"the {user.pw_name!r} user cannot reach {folder}: {parent} is closed to "
                f"others (chmod o+x {parent}, or put the cluster under /tmp)"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop", "status", "remove", "create-db"])
    parser.add_argument("--dir", type=Path, required=True, help="the cluster's folder")
    parser.add_argument("--port", type=int, default=15432)
    parser.add_argument("--database", help="create-db: the database to create if missing")
    parser.add_argument("--owner", help="create-db: its owner role (made without a password)")
    args = parser.parse_args(argv)
    try:
        server = LocalPostgres(args.dir, args.port)
        if args.command == "start":
            started = time.monotonic()
            server.start()
            print(
                f"PostgreSQL on {server.url()} ({args.dir}), ready in {time.monotonic() - started:.1f} s"
            )
        elif args.command == "create-db":
            if not server.database_exists(args.database):
                server.create_database(args.database, args.owner)
            print(f"database {args.database}: {server.url(args.database)}")
        elif args.command == "status":
            state = "running" if server.is_running() else "stopped"
            print(f"PostgreSQL {state}: {server.url()} ({args.dir}, log {server.log_file})")
            return 0 if state == "running" else 3
        elif args.command == "stop":
            server.stop()
            print(f"PostgreSQL stopped ({args.dir})")
        else:
            server.remove()
            print(f"PostgreSQL stopped and {args.dir} deleted")
    except PostgresError as error:
        print(f"error: {error}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
