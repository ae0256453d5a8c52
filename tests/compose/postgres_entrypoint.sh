#!/usr/bin/env bash
# What the official postgres image's entrypoint (docker-entrypoint.sh in
# docker-library/postgres) does on a first start, with this machine's PostgreSQL:
# an empty PGDATA gets a cluster whose superuser is POSTGRES_USER with POSTGRES_PASSWORD
# (password logins over TCP), the database POSTGRES_DB, and every
# /docker-entrypoint-initdb.d/*.sql run into it; then the command (default `postgres`)
# runs as the postgres user, listening on every address.
set -euo pipefail
: "${POSTGRES_PASSWORD:?the postgres image refuses to start without POSTGRES_PASSWORD}"
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups)

install -d -o postgres -g postgres -m 700 "$PGDATA"
if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    chown postgres "$pwfile"
    "${as_postgres[@]}" initdb --username="$POSTGRES_USER" --auth-local=trust \
        --auth-host=scram-sha-256 --pwfile="$pwfile" >/dev/null
    rm "$pwfile"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    "${as_postgres[@]}" pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    if [[ "$POSTGRES_DB" != "postgres" ]]; then
        "${as_postgres[@]}" psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
            --set db="$POSTGRES_DB" -c 'CREATE DATABASE :"db"' >/dev/null
    fi
    for script in /docker-entrypoint-initdb.d/*.sql; do
        [[ -e "$script" ]] || continue
        echo "running $script"
        "${as_postgres[@]}" psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" \
            --dbname "$POSTGRES_DB" -f "$script" >/dev/null
    done
    "${as_postgres[@]}" pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
[[ $# -gt 0 ]] || set -- postgres
exec "${as_postgres[@]}" "$@" -c listen_addresses='*'
