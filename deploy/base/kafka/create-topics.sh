#!/bin/bash
# Creates every topic in /etc/strata/kafka-topics/topics.txt that does not exist yet. Speaks the same
# connection settings as the services (KAFKA_BROKERS, KAFKA_SSL, KAFKA_SASL_*), so it works against the
# in-cluster broker and against managed Kafka alike. Existing topics are left as they are.
set -euo pipefail

topics_file=/etc/strata/kafka-topics/topics.txt
props=/tmp/client.properties
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

attempt=0
until /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server "${KAFKA_BROKERS}" --command-config "${props}" > /dev/null 2>&1; do
  attempt=$((attempt + 1))
  if [ "${attempt}" -ge 60 ]; then echo "Kafka at ${KAFKA_BROKERS} is not reachable" >&2; exit 1; fi
  echo "waiting for Kafka at ${KAFKA_BROKERS} (${attempt}/60)"
  sleep 5
done

while read -r topic configs; do
  case "${topic}" in '' | '#'*) continue ;; esac
  args=(--create --if-not-exists --bootstrap-server "${KAFKA_BROKERS}" --command-config "${props}"
    --topic "${topic}" --partitions "${KAFKA_TOPIC_PARTITIONS}" --replication-factor "${KAFKA_REPLICATION_FACTOR}")
  for config in ${configs}; do args+=(--config "${config}"); done
  /opt/kafka/bin/kafka-topics.sh "${args[@]}"
  echo "topic ${topic}: ok"
done < "${topics_file}"
