import { type TopicSettings } from '@strata/contracts';
import { stringify } from 'yaml';
import { type K8sObject, isRecord, objectRef } from '../manifest';
import { ConfigSources } from './config-sources';
import { type Finding, finding } from './finding';

const CHECK = 'strimzi';
const GROUP = 'kafka.strimzi.io/';

interface KafkaTopicTarget {
  readonly cluster: string;
  readonly partitions: number;
  readonly replicas: number;
}

/** The Strimzi Kafka of deploy/overlays/prod-strimzi and the prod overlay's KAFKA_TOPIC_PARTITIONS / KAFKA_REPLICATION_FACTOR. */
export const STRIMZI_TOPICS: KafkaTopicTarget = { cluster: 'strata', partitions: 24, replicas: 3 };

/** The KafkaTopic of one topic of the table: what the Strimzi Topic Operator applies (and alters). */
function kafkaTopic({ topic, configs }: TopicSettings, target: KafkaTopicTarget): Record<string, unknown> {
  return {
    apiVersion: `${GROUP}v1beta2`,
    kind: 'KafkaTopic',
    metadata: { name: topic, labels: { 'strimzi.io/cluster': target.cluster } },
    spec: { topicName: topic, partitions: target.partitions, replicas: target.replicas, config: { ...configs } },
  };
}

/** deploy/overlays/prod-strimzi/kafka-topics.yaml as generated from the topic table. */
export function renderKafkaTopics(table: readonly TopicSettings[], target: KafkaTopicTarget): string {
  const header = `# GENERATED from topicTable() in libs/contracts/src/topic-settings.ts — do not edit by hand:
#   npm run build && node dist/tools/deploy-check/src/main.js strimzi-topics > deploy/overlays/prod-strimzi/kafka-topics.yaml
# One KafkaTopic per topic Strata uses; partitions and replicas equal KAFKA_TOPIC_PARTITIONS and
# KAFKA_REPLICATION_FACTOR of the prod overlay (deploy-check fails when they or the configs differ).
`;
  return header + table.map((t) => `---\n${stringify(kafkaTopic(t, target))}`).join('');
}

const str = (value: unknown) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value);

/**
 * The Strimzi resources (prod-strimzi), beyond their CRD schemas: the Kafka runs KRaft with node pools on
 * Kafka 3.x (kafkajs 2.2 does not speak Kafka 4), every node pool and KafkaTopic names that Kafka, the
 * services' KAFKA_BROKERS is its bootstrap Service on a plain listener, and the KafkaTopics are exactly the
 * topic table with the configured partitions and replication.
 */
export function checkStrimzi(objects: readonly K8sObject[], table: readonly TopicSettings[]): Finding[] {
  const kafkas = objects.filter((o) => o.apiVersion.startsWith(GROUP) && o.kind === 'Kafka');
  if (kafkas.length === 0) return [];
  const out: Finding[] = [];
  const names = new Set(kafkas.map((k) => k.metadata.name));
  for (const kafka of kafkas) {
    const subject = objectRef(kafka);
    const annotations = kafka.metadata.annotations ?? {};
    if (annotations['strimzi.io/kraft'] !== 'enabled' || annotations['strimzi.io/node-pools'] !== 'enabled')
      out.push(
        finding(
          CHECK,
          subject,
          'must run KRaft with node pools (annotations strimzi.io/kraft and strimzi.io/node-pools: enabled)',
        ),
      );
    const spec = isRecord(kafka.spec) && isRecord(kafka.spec.kafka) ? kafka.spec.kafka : {};
    if (!/^3\./.test(String(spec.version)))
      out.push(
        finding(CHECK, subject, `runs Kafka ${String(spec.version)}: kafkajs 2.2 needs Kafka 3.x (3.9 is the last)`),
      );
  }
  for (const object of objects.filter(
    (o) => o.apiVersion.startsWith(GROUP) && (o.kind === 'KafkaNodePool' || o.kind === 'KafkaTopic'),
  )) {
    const cluster = object.metadata.labels?.['strimzi.io/cluster'];
    if (!cluster || !names.has(cluster))
      out.push(
        finding(
          CHECK,
          objectRef(object),
          `label strimzi.io/cluster (${cluster ?? 'missing'}) names no Kafka in the render`,
        ),
      );
  }
  const config = new ConfigSources(objects);
  const strata = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'strata-config');
  const data = strata ? config.get('ConfigMap', strata.metadata.namespace, 'strata-config') : undefined;
  const partitions = Number(data?.get('KAFKA_TOPIC_PARTITIONS') ?? 6);
  const replicas = Number(data?.get('KAFKA_REPLICATION_FACTOR') ?? 1);
  const brokers = data?.get('KAFKA_BROKERS') ?? '';
  const plain = kafkas.flatMap((k) => {
    const spec = isRecord(k.spec) && isRecord(k.spec.kafka) ? k.spec.kafka : {};
    const listeners = Array.isArray(spec.listeners) ? spec.listeners.filter(isRecord) : [];
    return listeners
      .filter((l) => l.type === 'internal' && l.tls === false)
      .map((l) => `${k.metadata.name}-kafka-bootstrap:${String(l.port)}`);
  });
  if (!brokers.split(',').every((b) => plain.includes(b.trim())))
    out.push(
      finding(
        CHECK,
        'ConfigMap/strata-config',
        `KAFKA_BROKERS=${brokers} is not a plain internal listener of the Strimzi Kafka (${plain.join(', ') || 'none'})`,
      ),
    );
  const topics = new Map(
    objects
      .filter((o) => o.apiVersion.startsWith(GROUP) && o.kind === 'KafkaTopic')
      .map((o) => [isRecord(o.spec) && typeof o.spec.topicName === 'string' ? o.spec.topicName : o.metadata.name, o]),
  );
  for (const settings of table) {
    const object = topics.get(settings.topic);
    if (!object) {
      out.push(finding(CHECK, settings.topic, 'is in the topic table but has no KafkaTopic'));
      continue;
    }
    const spec = isRecord(object.spec) ? object.spec : {};
    const have = isRecord(spec.config)
      ? Object.fromEntries(Object.entries(spec.config).map(([k, v]) => [k, str(v)]))
      : {};
    if (spec.partitions !== partitions || spec.replicas !== replicas)
      out.push(
        finding(
          CHECK,
          objectRef(object),
          `has ${String(spec.partitions)} partitions × ${String(spec.replicas)} replicas, the services ${partitions} × ${replicas} (KAFKA_TOPIC_PARTITIONS, KAFKA_REPLICATION_FACTOR)`,
        ),
      );
    if (
      JSON.stringify(have, Object.keys(have).sort()) !==
      JSON.stringify(settings.configs, Object.keys(settings.configs).sort())
    )
      out.push(
        finding(
          CHECK,
          objectRef(object),
          `config ${JSON.stringify(have)} differs from the topic table ${JSON.stringify(settings.configs)}`,
        ),
      );
  }
  const wanted = new Set(table.map((t) => t.topic));
  for (const [topic, object] of topics) {
    if (!wanted.has(topic)) out.push(finding(CHECK, objectRef(object), `${topic} is not in the topic table`));
  }
  return out;
}
