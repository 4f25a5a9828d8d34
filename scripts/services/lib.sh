# Sourced by the service scripts (postgres.sh, kafka.sh, s3.sh): what they share.
#
# Set SERVICE (the log prefix), SERVICE_STATE (its folder below STATE_DIR) and, for a server
# process the script starts, PID_FILE, COMMAND_LINE (what its command line holds), SERVER_LOG
# and WAIT_SECONDS after sourcing.
# Env: OWLISTIC_SERVICES_STATE (default /tmp/owlistic-services), JAVA_HOME (optional; else
# `java` on PATH).

# shellcheck source=apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

STATE_DIR="${OWLISTIC_SERVICES_STATE:-/tmp/owlistic-services}"
HOST=127.0.0.1
if [ -n "${JAVA_HOME:-}" ]; then
    JAVA="$JAVA_HOME/bin/java"
else
    JAVA=java
fi

log() { printf '[%s] %s\n' "$SERVICE" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# usage VERBS: the script's usage line, then exit 2.
usage() {
    echo "usage: $0 $1" >&2
    exit 2
}

port_open() {
    (: <>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# Alive and not a zombie (a dead child of this shell lingers as one until reaped).
alive() {
    kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# recorded_pid PID_FILE COMMAND_LINE: the pid that `up` recorded, if that process is still
# the one started (its command line holds COMMAND_LINE); else nothing.
recorded_pid() {
    local pid
    [ -s "$1" ] || return 0
    pid="$(cat "$1")"
    if kill -0 "$pid" 2>/dev/null &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$2"; then
        echo "$pid"
    fi
}

# apt_install PACKAGE: as root only, waiting for any other install to finish.
apt_install() {
    [ "$(id -u)" -eq 0 ] || die "$1 is missing and we are not root to install it"
    log "installing $1 with apt-get"
    apt_install_packages "$1"
}

ensure_java() {
    command -v "$JAVA" >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
}

# ensure_jars POM LIB_DIR: the runtime jars of POM in LIB_DIR, fetched again when POM changes.
ensure_jars() {
    local pom="$1" lib="$2" stamp
    stamp="$(sha256sum "$pom" | cut -d' ' -f1)"
    if [ -n "$(ls -A "$lib" 2>/dev/null)" ] && [ "$(cat "$lib/.pom.sha256" 2>/dev/null)" = "$stamp" ]; then
        return 0
    fi
    command -v mvn >/dev/null 2>&1 || apt_install maven
    log "fetching the jars with mvn (first run only; cached in ~/.m2)"
    rm -rf "$lib" "$lib.tmp"
    if ! mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$lib.tmp" >"$SERVICE_STATE/mvn.log" 2>&1; then
        cat "$SERVICE_STATE/mvn.log" >&2
        die "mvn could not fetch the jars (see above)"
    fi
    echo "$stamp" >"$lib.tmp/.pom.sha256"
    mv "$lib.tmp" "$lib"
}

# wait_usable PID LOG SECONDS CHECK...: until CHECK succeeds; fails when PID exits first
# (forgetting its PID_FILE) or SECONDS pass (showing the end of LOG either way).
wait_usable() {
    local pid="$1" server_log="$2" limit="$3" deadline=$((SECONDS + $3))
    shift 3
    while :; do
        # Not recorded_pid: right after the fork the child may not have exec'd java yet.
        if ! alive "$pid"; then
            tail -n 30 "$server_log" >&2 || true
            rm -f "$PID_FILE"
            die "pid $pid exited during startup; see $server_log"
        fi
        if "$@"; then
            return 0
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            tail -n 30 "$server_log" >&2 || true
            die "pid $pid not usable after ${limit}s; still running, see $server_log"
        fi
        sleep 1
    done
}

# up_recorded WHERE LAUNCH READY PORT...: leaves the server that `up` started running if it
# still is (PID_FILE, COMMAND_LINE, answering on the first PORT); else, with every PORT free,
# runs LAUNCH (which starts it and records PID_FILE); then waits until READY succeeds.
up_recorded() {
    local where="$1" launch="$2" ready="$3" started=$SECONDS pid port
    shift 3
    mkdir -p "$SERVICE_STATE"
    pid="$(recorded_pid "$PID_FILE" "$COMMAND_LINE")"
    if [ -n "$pid" ] && port_open "$1"; then
        log "already running (pid $pid) on $where"
        return 0
    fi
    if [ -z "$pid" ]; then
        rm -f "$PID_FILE"
        for port in "$@"; do
            if port_open "$port"; then
                die "port $port on $HOST is taken by a process this script did not start"
            fi
        done
        "$launch"
        pid="$(cat "$PID_FILE")"
    fi
    wait_usable "$pid" "$SERVER_LOG" "$WAIT_SECONDS" "$ready"
    log "ready on $where (pid $pid) in $((SECONDS - started))s"
}

# stop_recorded PID_FILE COMMAND_LINE SECONDS: stops the process `up` started (TERM, then KILL
# after SECONDS), and nothing else.
stop_recorded() {
    local pid deadline=$((SECONDS + $3))
    pid="$(recorded_pid "$1" "$2")"
    if [ -z "$pid" ]; then
        log "nothing started by this script is running"
        rm -f "$1"
        return 0
    fi
    log "stopping pid $pid"
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "pid $pid did not stop within $3s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        sleep 0.5
    done
    rm -f "$1"
}

# Two runs on one machine must not start or stop the service at the same time.
with_lock() {
    mkdir -p "$SERVICE_STATE"
    exec 9>"$SERVICE_STATE/.lock"
    flock 9
    "$@"
}
