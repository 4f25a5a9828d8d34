#!/usr/bin/env bash
# Local PostgreSQL for Owlistic's tests (Debian's packaged cluster, loopback only).
#
#   postgres.sh up     install if missing, start the cluster if down, create role + database
#   postgres.sh down   stop the cluster, but only if `up` started it (checked by postmaster pid)
#   postgres.sh url    print the SQLAlchemy/asyncpg URL
#
# Env: OWLISTIC_SERVICES_STATE (default /tmp/owlistic-services).
# The port is the cluster's configured one (5432 on a stock Debian install).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERVICE=postgres
SERVICE_STATE="$STATE_DIR/postgres"
STARTED_PID_FILE="$SERVICE_STATE/started-postmaster.pid"
PG_CLUSTER=main
DB_USER=owl
DB_PASSWORD=owl
DB_NAME=owlistic_test
WAIT_SECONDS=60
# The benchmark's pgbench ceiling opens up to 64 connections beside the servers' pools (two
# workers, up to 30 each): more than a stock cluster's 100. Set only on a cluster `up`
# starts (or one the package installed just now), never on someone else's.
MAX_CONNECTIONS=300
SERVER_OPTIONS="-c listen_addresses=$HOST -c max_connections=$MAX_CONNECTIONS"

# Run a command as the postgres OS user, from a directory it can read.
as_postgres() {
    if [ "$(id -un)" = postgres ]; then
        (cd / && "$@")
    else
        (cd / && runuser -u postgres -- "$@")
    fi
}

# Version of the "main" cluster, empty if none exists (or pg_lsclusters is missing).
cluster_version() {
    command -v pg_lsclusters >/dev/null 2>&1 || return 0
    pg_lsclusters -h 2>/dev/null | awk -v c="$PG_CLUSTER" '$2 == c { print $1; exit }'
}

# Configured port of the cluster (5432 when there is no cluster yet).
cluster_port() {
    local port=""
    if command -v pg_lsclusters >/dev/null 2>&1; then
        port="$(pg_lsclusters -h 2>/dev/null | awk -v c="$PG_CLUSTER" '$2 == c { print $3; exit }')"
    fi
    echo "${port:-5432}"
}

cluster_datadir() {
    pg_lsclusters -h | awk -v v="$1" -v c="$PG_CLUSTER" '$1 == v && $2 == c { print $6; exit }'
}

cluster_running() {
    pg_ctlcluster "$1" "$PG_CLUSTER" status >/dev/null 2>&1
}

# pid of the running postmaster (first line of postmaster.pid), empty if none.
postmaster_pid() {
    local pidfile
    pidfile="$(cluster_datadir "$1")/postmaster.pid"
    if [ -r "$pidfile" ]; then
        head -n 1 "$pidfile"
    fi
}

ensure_installed() {
    if [ -n "$(cluster_version)" ]; then
        return 0
    fi
    if ! command -v pg_lsclusters >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        apt_install postgresql
        INSTALLED_NOW=1
    fi
    if [ -z "$(cluster_version)" ]; then
        local version
        version="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -n 1)"
        [ -n "$version" ] || die "no PostgreSQL server found under /usr/lib/postgresql"
        log "creating cluster $version/$PG_CLUSTER"
        pg_createcluster "$version" "$PG_CLUSTER" >/dev/null
    fi
}

wait_ready() {
    local deadline=$((SECONDS + WAIT_SECONDS))
    until pg_isready -q -h "$HOST" -p "$PG_PORT"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            die "PostgreSQL does not accept connections on $HOST:$PG_PORT after ${WAIT_SECONDS}s"
        fi
        sleep 0.5
    done
}

psql_admin() {
    as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@"
}

ensure_role_and_db() {
    local has_role has_db
    has_role="$(psql_admin -tAc "select 1 from pg_roles where rolname = '$DB_USER'")"
    if [ "$has_role" != 1 ]; then
        log "creating role $DB_USER"
        psql_admin -c "create role $DB_USER login superuser password '$DB_PASSWORD'"
    fi
    has_db="$(psql_admin -tAc "select 1 from pg_database where datname = '$DB_NAME'")"
    if [ "$has_db" != 1 ]; then
        log "creating database $DB_NAME"
        psql_admin -c "create database $DB_NAME owner $DB_USER"
    fi
    # Prove the URL works: TCP on loopback with password authentication.
    PGPASSWORD="$DB_PASSWORD" psql -X -q -h "$HOST" -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" \
        -tAc 'select 1' >/dev/null || die "cannot log in as $DB_USER on $HOST:$PG_PORT"
}

cmd_up() {
    INSTALLED_NOW=0
    ensure_installed
    local version
    version="$(cluster_version)"
    PG_PORT="$(cluster_port)"
    mkdir -p "$SERVICE_STATE"
    if cluster_running "$version"; then
        if [ "$INSTALLED_NOW" -eq 1 ]; then
            # The package's postinst started it for us: it is ours, with our options.
            log "restarting cluster $version/$PG_CLUSTER with $SERVER_OPTIONS"
            pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" restart \
                -- -o "$SERVER_OPTIONS" 9>&-
            postmaster_pid "$version" >"$STARTED_PID_FILE"
        else
            log "cluster $version/$PG_CLUSTER already running"
        fi
    else
        log "starting cluster $version/$PG_CLUSTER on $HOST:$PG_PORT"
        pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" start \
            -- -o "$SERVER_OPTIONS" 9>&-
        postmaster_pid "$version" >"$STARTED_PID_FILE"
    fi
    wait_ready
    ensure_role_and_db
    log "ready: $(cmd_url)"
}

cmd_down() {
    local version recorded current
    version="$(cluster_version)"
    if [ ! -s "$STARTED_PID_FILE" ] || [ -z "$version" ]; then
        log "not started by this script; nothing to stop"
        rm -f "$STARTED_PID_FILE"
        return 0
    fi
    recorded="$(cat "$STARTED_PID_FILE")"
    current="$(postmaster_pid "$version")"
    if cluster_running "$version" && [ "$current" = "$recorded" ]; then
        log "stopping cluster $version/$PG_CLUSTER (postmaster pid $recorded)"
        pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" stop
    else
        log "postmaster pid $recorded is no longer running; nothing to stop"
    fi
    rm -f "$STARTED_PID_FILE"
}

cmd_url() {
    local PG_PORT
    PG_PORT="$(cluster_port)"
    echo "postgresql+asyncpg://$DB_USER:$DB_PASSWORD@$HOST:$PG_PORT/$DB_NAME"
}

[ $# -eq 1 ] || usage "up|down|url"

case "$1" in
    up) with_lock cmd_up ;;
    down) with_lock cmd_down ;;
    url) cmd_url ;;
    *) usage "up|down|url" ;;
esac
