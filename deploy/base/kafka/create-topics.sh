#!/bin/bash
# Applies topics.txt (generated from the topic table in libs/contracts/src/topic-settings.ts) to the
# cluster: creates every missing topic with its settings, and brings existing ones — created earlier by a
# service, by an older release, or by hand — to the same settings: configs with `kafka-configs --alter`
# (incremental: other per-topic overrides are kept), partitions raised to KAFKA_TOPIC_PARTITIONS
# (never lowered: Kafka cannot). Speaks the services' connection settings (KAFKA_BROKERS, KAFKA_SSL,
# KAFKA_SASL_*), so it works against the in-cluster broker and managed Kafka alike.
set -euo pipefail

bin="${KAFKA_BIN:-/opt/kafka/bin}"
topics_file="${TOPICS_FILE:-/etc/strata/kafka-topics/topics.txt}"
props="${TMPDIR:-/tmp}/client.properties"
protocol=PLAINTEXT
[ "${KAFKA_SSL:-false}" = "true" ] && protocol=SSL
: > "${props}"
if [ -n "${KAFKA_SASL_MECHANISM:-}" ]; then
  [ "${protocol}" = "SSL" ] && protocol=SASL_SSL || protocol=SASL_PLAINTEXT
  mechanism="$(echo "${KAFKA_SASL_MECHANISM}" | tr '[:lower:]' '[:upper:]')"
  case "${mechanism}" in
    PLAIN) module=org.apache.kafka.common.security.plain.PlainLoginModule ;;
    SCRAM-SHA-256 | SCRAM-SHA-512) module=org.apache.kafka.common.security.scram.ScramLoginModule ;;
    *) echo "unsupported KAFKA_SASL_MECHANISM: ${KAFKA_SASL_MECHANISM}" >&2; exit 2 ;;
  esac
  printf 'sasl.mechanism=%s\nsasl.jaas.config=%s required username="%s" password="%s";\n' \
    "${mechanism}" "${module}" "${KAFKA_SASL_USERNAME:-}" "${KAFKA_SASL_PASSWORD:-}" >> "${props}"
fi
echo "security.protocol=${protocol}" >> "${props}"
connect=(--bootstrap-server "${KAFKA_BROKERS}" --command-config "${props}")

attempt=0
until "${bin}/kafka-broker-api-versions.sh" "${connect[@]}" > /dev/null 2>&1; do
  attempt=$((attempt + 1))
  if [ "${attempt}" -ge 60 ]; then echo "Kafka at ${KAFKA_BROKERS} is not reachable" >&2; exit 1; fi
  echo "waiting for Kafka at ${KAFKA_BROKERS} (${attempt}/60)"
  sleep 5
done

# One describe for every topic: "Topic: <name>  TopicId: …  PartitionCount: <n>  …".
described="$("${bin}/kafka-topics.sh" "${connect[@]}" --describe --exclude-internal)"
partitions_of() {
  awk -v topic="$1" '$1 == "Topic:" && $2 == topic { for (i = 3; i < NF; i++) if ($i == "PartitionCount:") print $(i + 1) }' <<< "${described}"
}

wanted="${KAFKA_TOPIC_PARTITIONS}"
while read -r topic configs; do
  case "${topic}" in '' | '#'*) continue ;; esac
  current="$(partitions_of "${topic}")"
  if [ -z "${current}" ]; then
    args=(--create --if-not-exists --topic "${topic}" --partitions "${wanted}" --replication-factor "${KAFKA_REPLICATION_FACTOR}")
    for config in ${configs}; do args+=(--config "${config}"); done
    "${bin}/kafka-topics.sh" "${connect[@]}" "${args[@]}"
    echo "topic ${topic}: created"
    # A service may have created it meanwhile, without the settings: alter it all the same.
  elif [ "${current}" -lt "${wanted}" ]; then
    "${bin}/kafka-topics.sh" "${connect[@]}" --alter --topic "${topic}" --partitions "${wanted}"
    echo "topic ${topic}: partitions ${current} -> ${wanted}"
  elif [ "${current}" -gt "${wanted}" ]; then
    echo "topic ${topic}: has ${current} partitions, more than KAFKA_TOPIC_PARTITIONS=${wanted} (Kafka cannot remove partitions; left as is)" >&2
  fi
  if [ -n "${configs}" ]; then
    "${bin}/kafka-configs.sh" "${connect[@]}" --alter --entity-type topics --entity-name "${topic}" \
      --add-config "$(tr -s ' ' ',' <<< "${configs}")"
  fi
  echo "topic ${topic}: ok"
done < "${topics_file}"
