#!/usr/bin/env bash
# Local S3-compatible object store (S3Proxy over a filesystem backend) for Owlistic's tests.
# S3Proxy's jars come from Maven via scripts/services/s3/pom.xml (cached in ~/.m2).
# Requests must be signed (AWS v2 or v4) with the identity/credential below.
#
#   s3.sh up     fetch jars if needed, start S3Proxy, wait until a bucket can be created
#   s3.sh down   stop the server started by `up` (by its recorded pid only)
#   s3.sh url    print the storage URL the tests use (s3://KEY:SECRET@BUCKET?endpoint=...&region=...)
#
# Env: OWLISTIC_SERVICES_STATE (default /tmp/owlistic-services), OWLISTIC_S3_PORT (default 9000),
#      JAVA_HOME (optional; else `java` on PATH).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/s3/pom.xml"

STATE_DIR="${OWLISTIC_SERVICES_STATE:-/tmp/owlistic-services}"
S3_STATE="$STATE_DIR/s3"
LIB_DIR="$S3_STATE/lib"
DATA_DIR="$S3_STATE/data"
CONFIG="$S3_STATE/s3proxy.properties"
PID_FILE="$S3_STATE/s3proxy.pid"
SERVER_LOG="$S3_STATE/server.log"

HOST=127.0.0.1
PORT="${OWLISTIC_S3_PORT:-9000}"
IDENTITY=owlistic-test
CREDENTIAL=owlistic-test-secret
BUCKET=owlistic-test
READY_BUCKET=owlistic-services-ready
WAIT_SECONDS=90

if [ -n "${JAVA_HOME:-}" ]; then
    JAVA="$JAVA_HOME/bin/java"
else
    JAVA=java
fi

log() { printf '[s3] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    echo "usage: $0 up|down|url" >&2
    exit 2
}

endpoint() { echo "http://$HOST:$PORT"; }

url() { echo "s3://$IDENTITY:$CREDENTIAL@$BUCKET?endpoint=$(endpoint)&region=us-east-1"; }

port_open() {
    (: <>"/dev/tcp/$HOST/$1") 2>/dev/null
}

running_pid() {
    local pid
    [ -s "$PID_FILE" ] || return 0
    pid="$(cat "$PID_FILE")"
    if kill -0 "$pid" 2>/dev/null &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "org.gaul.s3proxy.Main --properties $CONFIG"; then
        echo "$pid"
    fi
}

alive() {
    kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

apt_install() {
    [ "$(id -u)" -eq 0 ] || die "$1 is missing and we are not root to install it"
    log "installing $1 with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}

ensure_jars() {
    local stamp
    stamp="$(sha256sum "$POM" | cut -d' ' -f1)"
    if [ -n "$(ls -A "$LIB_DIR" 2>/dev/null)" ] && [ "$(cat "$LIB_DIR/.pom.sha256" 2>/dev/null)" = "$stamp" ]; then
        return 0
    fi
    command -v mvn >/dev/null 2>&1 || apt_install maven
    log "fetching S3Proxy jars with mvn (first run only; cached in ~/.m2)"
    rm -rf "$LIB_DIR" "$LIB_DIR.tmp"
    if ! mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$LIB_DIR.tmp" >"$S3_STATE/mvn.log" 2>&1; then
        cat "$S3_STATE/mvn.log" >&2
        die "mvn could not fetch the S3Proxy jars (see above)"
    fi
    echo "$stamp" >"$LIB_DIR.tmp/.pom.sha256"
    mv "$LIB_DIR.tmp" "$LIB_DIR"
}

write_config() {
    mkdir -p "$DATA_DIR"
    cat >"$CONFIG.tmp" <<CONF
# Written by scripts/services/s3.sh: S3Proxy on a filesystem backend for tests.
s3proxy.endpoint=$(endpoint)
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$IDENTITY
s3proxy.credential=$CREDENTIAL
jclouds.provider=filesystem
jclouds.filesystem.basedir=$DATA_DIR
CONF
    mv "$CONFIG.tmp" "$CONFIG"
}

start_server() {
    log "starting S3Proxy on $(endpoint), log: $SERVER_LOG"
    nohup "$JAVA" -Xmx384m -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true \
        -cp "$LIB_DIR/*" org.gaul.s3proxy.Main --properties "$CONFIG" >"$SERVER_LOG" 2>&1 </dev/null 9>&- &
    echo $! >"$PID_FILE"
}

# A signed bucket PUT answered with 200 (created) or 409 (already ours) proves the server
# serves and checks signatures. Signed with the standard library's hmac (SigV4).
bucket_usable() {
    python3 - "$(endpoint)" "$IDENTITY" "$CREDENTIAL" "$1" <<'PY'
import datetime, hashlib, hmac, sys, urllib.error, urllib.request
endpoint, key, secret, bucket = sys.argv[1:]
host = endpoint.split("://", 1)[1]
now = datetime.datetime.now(datetime.UTC)
amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
payload = hashlib.sha256(b"").hexdigest()
headers = f"host:{host}\nx-amz-content-sha256:{payload}\nx-amz-date:{amz_date}\n"
signed = "host;x-amz-content-sha256;x-amz-date"
canonical = f"PUT\n/{bucket}\n\n{headers}\n{signed}\n{payload}"
scope = f"{day}/us-east-1/s3/aws4_request"
to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
k = f"AWS4{secret}".encode()
for part in (day, "us-east-1", "s3", "aws4_request"):
    k = hmac.new(k, part.encode(), hashlib.sha256).digest()
signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
request = urllib.request.Request(f"{endpoint}/{bucket}", method="PUT", headers={
    "x-amz-date": amz_date, "x-amz-content-sha256": payload,
    "Authorization": f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={signed}, Signature={signature}",
})
try:
    urllib.request.urlopen(request, timeout=5)
except urllib.error.HTTPError as err:
    sys.exit(0 if err.code == 409 else 1)
except OSError:
    sys.exit(1)
PY
}

wait_ready() {
    local pid="$1" deadline=$((SECONDS + WAIT_SECONDS))
    while :; do
        if ! alive "$pid"; then
            tail -n 30 "$SERVER_LOG" >&2 || true
            rm -f "$PID_FILE"
            die "S3Proxy (pid $pid) exited during startup; see $SERVER_LOG"
        fi
        if port_open "$PORT" && bucket_usable "$READY_BUCKET" && bucket_usable "$BUCKET"; then
            return 0
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            tail -n 30 "$SERVER_LOG" >&2 || true
            die "S3Proxy (pid $pid) not usable on $(endpoint) after ${WAIT_SECONDS}s; still running, see $SERVER_LOG"
        fi
        sleep 1
    done
}

cmd_up() {
    local started=$SECONDS pid
    mkdir -p "$S3_STATE"
    pid="$(running_pid)"
    if [ -n "$pid" ] && port_open "$PORT"; then
        log "already running (pid $pid) on $(endpoint)"
        return 0
    fi
    if [ -z "$pid" ]; then
        rm -f "$PID_FILE"
        if port_open "$PORT"; then
            die "port $PORT on $HOST is taken by a process this script did not start"
        fi
        command -v "$JAVA" >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
        ensure_jars
        write_config
        start_server
        pid="$(cat "$PID_FILE")"
    fi
    wait_ready "$pid"
    log "ready on $(endpoint) (pid $pid) in $((SECONDS - started))s"
}

cmd_down() {
    local pid
    pid="$(running_pid)"
    if [ -z "$pid" ]; then
        log "no S3Proxy started by this script is running"
        rm -f "$PID_FILE"
        return 0
    fi
    log "stopping S3Proxy (pid $pid)"
    kill -TERM "$pid"
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "S3Proxy did not stop within 30s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        sleep 0.5
    done
    rm -f "$PID_FILE"
}

[ $# -eq 1 ] || usage

with_lock() {
    mkdir -p "$S3_STATE"
    exec 9>"$S3_STATE/.lock"
    flock 9
    "$@"
}

case "$1" in
    up) with_lock cmd_up ;;
    down) with_lock cmd_down ;;
    url) url ;;
    *) usage ;;
esac
