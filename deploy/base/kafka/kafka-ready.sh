#!/bin/bash
# Readiness of one broker: it is registered with the cluster (its id is in the metadata the controller
# publishes) and it has caught up (no partition lists it as a replica without it being in the ISR). A
# StatefulSet rolls one pod at a time and waits for Ready, so a rolling restart now waits for each broker
# to rejoin every ISR before stopping the next one — instead of taking partitions below min ISR (which
# refuses every acks=all write) as soon as the port answers. Partitions behind *other* brokers do not
# make this one unready: a broker that is down elsewhere must not take the whole cluster out.
set -uo pipefail

bin="${KAFKA_BIN:-/opt/kafka/bin}"
id="${POD_NAME##*-}"
bootstrap=localhost:9092
export KAFKA_HEAP_OPTS="-Xms32m -Xmx96m"
export KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:${LOG4J_PROPERTIES:-/opt/strata/log4j.properties}"
export EXTRA_ARGS=""

brokers="$("${bin}/kafka-broker-api-versions.sh" --bootstrap-server "${bootstrap}" 2> /dev/null)" || {
  echo "broker ${id} does not answer on ${bootstrap}"
  exit 1
}
if ! grep -q "(id: ${id} rack:" <<< "${brokers}"; then
  echo "broker ${id} is not registered with the cluster yet"
  exit 1
fi

under="$("${bin}/kafka-topics.sh" --bootstrap-server "${bootstrap}" --describe --under-replicated-partitions 2> /dev/null)" || {
  echo "cannot describe partitions"
  exit 1
}
# Lines: "Topic: t  Partition: 0  Leader: 1  Replicas: 0,1,2  Isr: 1,2 …"
behind="$(awk -v id="${id}" '
  { replicas = ""; isr = ""
    for (i = 1; i < NF; i++) { if ($i == "Replicas:") replicas = "," $(i + 1) ","; if ($i == "Isr:") isr = "," $(i + 1) "," }
    if (index(replicas, "," id ",") > 0 && index(isr, "," id ",") == 0) n++ }
  END { print n + 0 }' <<< "${under}")"
if [ "${behind}" -gt 0 ]; then
  echo "broker ${id} is not in the ISR of ${behind} of its partitions yet"
  exit 1
fi
exit 0
