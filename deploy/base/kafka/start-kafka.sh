#!/bin/bash
# Renders server.properties for this pod and starts a combined KRaft broker+controller. Written for a
# read-only root file system: config, logs and data live on mounted volumes.
set -euo pipefail

ordinal="${POD_NAME##*-}"
config_dir=/var/lib/kafka/config
config="${config_dir}/server.properties"
advertised_host="${POD_NAME}.kafka-headless.${POD_NAMESPACE}.svc"

cat > "${config}" <<PROPS
process.roles=broker,controller
node.id=${ordinal}
controller.quorum.voters=${KRAFT_VOTERS}
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
advertised.listeners=PLAINTEXT://${advertised_host}:9092
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=/var/lib/kafka/data/logs
auto.create.topics.enable=false
num.partitions=6
default.replication.factor=${DEFAULT_REPLICATION_FACTOR}
min.insync.replicas=${MIN_INSYNC_REPLICAS}
offsets.topic.replication.factor=${DEFAULT_REPLICATION_FACTOR}
transaction.state.log.replication.factor=${DEFAULT_REPLICATION_FACTOR}
transaction.state.log.min.isr=${MIN_INSYNC_REPLICAS}
group.initial.rebalance.delay.ms=${INITIAL_REBALANCE_DELAY_MS}
log.retention.hours=168
PROPS

/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "${CLUSTER_ID}" --config "${config}"
exec /opt/kafka/bin/kafka-server-start.sh "${config}"
