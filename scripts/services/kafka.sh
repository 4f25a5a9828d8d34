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
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/kafka/pom.xml"
LOG4J_CONFIG="$SCRIPT_DIR/kafka/log4j2.properties"

SERVICE=kafka
SERVICE_STATE="$STATE_DIR/kafka"
LIB_DIR="$SERVICE_STATE/lib"
DATA_DIR="$SERVICE_STATE/data"
CONFIG="$SERVICE_STATE/server.properties"
PID_FILE="$SERVICE_STATE/kafka.pid"
SERVER_LOG="$SERVICE_STATE/broker.log"
COMMAND_LINE="kafka.Kafka $CONFIG"

PORT="${OWLISTIC_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${OWLISTIC_KAFKA_CONTROLLER_PORT:-9093}"
READY_TOPIC=owlistic-services-ready
# A JVM start plus loading every partition on a busy 2-core machine has taken over 90 s.
WAIT_SECONDS=240

bootstrap() { echo "$HOST:$PORT"; }

# Run a Kafka tool class with the broker's classpath, quiet logging.
kafka_tool() {
    "$JAVA" -Xmx256m -Djava.net.preferIPv4Stack=true -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dowlistic.kafka.loglevel=WARN \
        -cp "$LIB_DIR/*" "$@"
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
    log "starting broker on $HOST:$PORT (controller $HOST:$CONTROLLER_PORT), log: $SERVER_LOG"
    nohup "$JAVA" -Xmx512m -Xms256m -XX:+UseG1GC -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true \
        -Dlog4j2.configurationFile="$LOG4J_CONFIG" \
        -cp "$LIB_DIR/*" kafka.Kafka "$CONFIG" >"$SERVER_LOG" 2>&1 </dev/null 9>&- &
    echo $! >"$PID_FILE"
}

broker_usable() {
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$(bootstrap)" \
        --create --if-not-exists --topic "$READY_TOPIC" --partitions 1 --replication-factor 1 \
        >/dev/null 2>&1 &&
        kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$(bootstrap)" --list 2>/dev/null |
        grep -qx "$READY_TOPIC"
}

ready() { port_open "$PORT" && broker_usable; }

launch() {
    ensure_java
    ensure_jars "$POM" "$LIB_DIR"
    write_config
    format_storage
    start_broker
}

[ $# -eq 1 ] || usage "up|down|bootstrap"

case "$1" in
    up) with_lock up_recorded "$(bootstrap)" launch ready "$PORT" "$CONTROLLER_PORT" ;;
    down) with_lock stop_recorded "$PID_FILE" "$COMMAND_LINE" 60 ;;
    bootstrap) bootstrap ;;
    *) usage "up|down|bootstrap" ;;
esac
