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
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/s3/pom.xml"

SERVICE=s3
SERVICE_STATE="$STATE_DIR/s3"
LIB_DIR="$SERVICE_STATE/lib"
DATA_DIR="$SERVICE_STATE/data"
CONFIG="$SERVICE_STATE/s3proxy.properties"
PID_FILE="$SERVICE_STATE/s3proxy.pid"
SERVER_LOG="$SERVICE_STATE/server.log"
COMMAND_LINE="org.gaul.s3proxy.Main --properties $CONFIG"

PORT="${OWLISTIC_S3_PORT:-9000}"
IDENTITY=owlistic-test
CREDENTIAL=owlistic-test-secret
BUCKET=owlistic-test
READY_BUCKET=owlistic-services-ready
WAIT_SECONDS=180

endpoint() { echo "http://$HOST:$PORT"; }

url() { echo "s3://$IDENTITY:$CREDENTIAL@$BUCKET?endpoint=$(endpoint)&region=us-east-1"; }

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

ready() { port_open "$PORT" && bucket_usable "$READY_BUCKET" && bucket_usable "$BUCKET"; }

launch() {
    ensure_java
    ensure_jars "$POM" "$LIB_DIR"
    write_config
    start_server
}

[ $# -eq 1 ] || usage "up|down|url"

case "$1" in
    up) with_lock up_recorded "$(endpoint)" launch ready "$PORT" ;;
    down) with_lock stop_recorded "$PID_FILE" "$COMMAND_LINE" 30 ;;
    url) url ;;
    *) usage "up|down|url" ;;
esac
