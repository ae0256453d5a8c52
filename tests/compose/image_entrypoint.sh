#!/usr/bin/env bash
# The steps of the official Airflow image's entrypoint (scripts/docker/entrypoint_prod.sh
# in apache/airflow) that decide whether a compose service starts as an arbitrary uid:
# group 0 required, umask 0002, a passwd entry for a uid without one (written into the
# image's group-writable /etc/passwd), then `bash ...` and `python ...` run as given and
# anything else as `airflow ...`. Its database and broker waits are left out: the
# services the compose-fidelity test starts set CONNECTION_CHECK_MAX_COUNT=0.
set -euo pipefail

if [[ $(id -g) != "0" && $(id -u) != "50000" ]]; then
    echo "ERROR! You should run the image with GID=0 (started with $(id -u):$(id -g))" >&2
    exit 1
fi
umask 0002
if ! whoami &> /dev/null; then
    if [[ -w /etc/passwd ]]; then
        echo "${USER_NAME:-default}:x:$(id -u):0:${USER_NAME:-default} user:${AIRFLOW_USER_HOME_DIR}:/sbin/nologin" \
            >> /etc/passwd
    fi
    export HOME="${AIRFLOW_USER_HOME_DIR}"
fi

case "${1:-}" in
    bash) shift; exec /bin/bash "$@" ;;
    python) shift; exec python "$@" ;;
    airflow) shift; exec airflow "$@" ;;
    *) exec airflow "$@" ;;
esac
