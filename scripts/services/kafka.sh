#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller) for Owlistic's tests.
# The broker's jars come from Maven via scripts/services/kafka/pom.xml (cached in ~/.m2).
#
#   kafka.sh up          fetch jars if needed, format storage once, start the broker, wait until usable
#   kafka.sh down        stop the broker started by `up` (by its recorded pid only)
#   kafka.sh bootstrap   print the bootstrap address (127.0.0.1:PORT)
#
# Env: OWLISTIC_SERVICES_STATE (default /tmp/owlistic-services), OWLISTIC_KAFKA_PORT (default 9092),
#      OWLISTIC_KAFKA_CONTROLLER_PORT (default 9093), JAVA_HOME (optional; else `java` on PATH).
set -euo pipefail
# shellcheck source=apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/kafka/pom.xml"
LOG4J_CONFIG="$SCRIPT_DIR/kafka/log4j2.properties"

STATE_DIR="${OWLISTIC_SERVICES_STATE:-/tmp/owlistic-services}"
KAFKA_STATE="$STATE_DIR/kafka"
LIB_DIR="$KAFKA_STATE/lib"
DATA_DIR="$KAFKA_STATE/data"
CONFIG="$KAFKA_STATE/server.properties"
PID_FILE="$KAFKA_STATE/kafka.pid"
BROKER_LOG="$KAFKA_STATE/broker.log"

HOST=127.0.0.1
PORT="${OWLISTIC_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${OWLISTIC_KAFKA_CONTROLLER_PORT:-9093}"
READY_TOPIC=owlistic-services-ready
WAIT_SECONDS=90

if [ -n "${JAVA_HOME:-}" ]; then
    JAVA="$JAVA_HOME/bin/java"
else
    JAVA=java
fi

log() { printf '[kafka] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    echo "usage: $0 up|down|bootstrap" >&2
    exit 2
}

bootstrap() { echo "$HOST:$PORT"; }

port_open() {
    (: <>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# The pid recorded by `up`, if that process is still our broker; else empty.
running_pid() {
    local pid
    [ -s "$PID_FILE" ] || return 0
    pid="$(cat "$PID_FILE")"
    if kill -0 "$pid" 2>/dev/null &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $CONFIG"; then
        echo "$pid"
    fi
}

# Alive and not a zombie (a dead child of this shell lingers as one until reaped).
alive() {
    kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# Run a Kafka tool class with the broker's classpath, quiet logging.
kafka_tool() {
    "$JAVA" -Xmx256m -Djava.net.preferIPv4Stack=true -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dowlistic.kafka.loglevel=WARN \
        -cp "$LIB_DIR/*" "$@"
}

apt_install() {
    [ "$(id -u)" -eq 0 ] || die "$1 is missing and we are not root to install it"
    log "installing $1 with apt-get"
    apt_install_packages "$1"
}

ensure_jars() {
    local stamp
    stamp="$(sha256sum "$POM" | cut -d' ' -f1)"
    if [ -n "$(ls -A "$LIB_DIR" 2>/dev/null)" ] && [ "$(cat "$LIB_DIR/.pom.sha256" 2>/dev/null)" = "$stamp" ]; then
        return 0
    fi
    command -v mvn >/dev/null 2>&1 || apt_install maven
    log "fetching Kafka jars with mvn (first run only; cached in ~/.m2)"
    rm -rf "$LIB_DIR" "$LIB_DIR.tmp"
    if ! mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$LIB_DIR.tmp" >"$KAFKA_STATE/mvn.log" 2>&1; then
        cat "$KAFKA_STATE/mvn.log" >&2
        die "mvn could not fetch the Kafka jars (see above)"
    fi
    echo "$stamp" >"$LIB_DIR.tmp/.pom.sha256"
    mv "$LIB_DIR.tmp" "$LIB_DIR"
}

write_config() {
    cat >"$CONFIG.tmp" <<EOF
# Written by scripts/services/kafka.sh: single-node KRaft broker+controller for tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA_DIR
num.partitions=3
auto.create.topics.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
    mv "$CONFIG.tmp" "$CONFIG"
}

format_storage() {
    if [ -f "$DATA_DIR/meta.properties" ]; then
        return 0
    fi
    local cluster_id
    cluster_id="$(kafka_tool kafka.tools.StorageTool random-uuid)"
    log "formatting $DATA_DIR (cluster id $cluster_id)"
    kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" >&2
}

start_broker() {
    log "starting broker on $HOST:$PORT (controller $HOST:$CONTROLLER_PORT), log: $BROKER_LOG"
    nohup "$JAVA" -Xmx512m -Xms256m -XX:+UseG1GC -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true \
        -Dlog4j2.configurationFile="$LOG4J_CONFIG" \
        -cp "$LIB_DIR/*" kafka.Kafka "$CONFIG" >"$BROKER_LOG" 2>&1 </dev/null 9>&- &
    echo $! >"$PID_FILE"
}

broker_usable() {
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$(bootstrap)" \
        --create --if-not-exists --topic "$READY_TOPIC" --partitions 1 --replication-factor 1 \
        >/dev/null 2>&1 &&
        kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$(bootstrap)" --list 2>/dev/null |
        grep -qx "$READY_TOPIC"
}

wait_ready() {
    local pid="$1" deadline=$((SECONDS + WAIT_SECONDS))
    while :; do
        # Not running_pid: right after the fork the child may not have exec'd java yet.
        if ! alive "$pid"; then
            tail -n 30 "$BROKER_LOG" >&2 || true
            rm -f "$PID_FILE"
            die "broker (pid $pid) exited during startup; see $BROKER_LOG"
        fi
        if port_open "$PORT" && broker_usable; then
            return 0
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            tail -n 30 "$BROKER_LOG" >&2 || true
            die "broker (pid $pid) not usable on $(bootstrap) after ${WAIT_SECONDS}s; still running, see $BROKER_LOG"
        fi
        sleep 1
    done
}

cmd_up() {
    local started=$SECONDS pid
    mkdir -p "$KAFKA_STATE"
    pid="$(running_pid)"
    if [ -n "$pid" ] && port_open "$PORT"; then
        log "already running (pid $pid) on $(bootstrap)"
        return 0
    fi
    if [ -z "$pid" ]; then
        rm -f "$PID_FILE"
        if port_open "$PORT" || port_open "$CONTROLLER_PORT"; then
            die "port $PORT or $CONTROLLER_PORT on $HOST is taken by a process this script did not start"
        fi
        command -v "$JAVA" >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
        ensure_jars
        write_config
        format_storage
        start_broker
        pid="$(cat "$PID_FILE")"
    fi
    wait_ready "$pid"
    log "ready on $(bootstrap) (pid $pid) in $((SECONDS - started))s"
}

cmd_down() {
    local pid
    pid="$(running_pid)"
    if [ -z "$pid" ]; then
        log "no broker started by this script is running"
        rm -f "$PID_FILE"
        return 0
    fi
    log "stopping broker (pid $pid)"
    kill -TERM "$pid"
    local deadline=$((SECONDS + 60))
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "broker did not stop within 60s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        sleep 0.5
    done
    rm -f "$PID_FILE"
}

[ $# -eq 1 ] || usage

# Two runs on one machine must not start or stop the service at the same time.
with_lock() {
    mkdir -p "$KAFKA_STATE"
    exec 9>"$KAFKA_STATE/.lock"
    flock 9
    "$@"
}

case "$1" in
    up) with_lock cmd_up ;;
    down) with_lock cmd_down ;;
    bootstrap) bootstrap ;;
    *) usage ;;
esac
