import { topicTable } from '@strata/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderKustomization } from '../kustomize/kustomize';
import { type K8sObject } from '../manifest';
import { validateAgainstSchemas } from '../schema/validate-schema';
import { STRIMZI_TOPICS, checkStrimzi, renderKafkaTopics } from './strimzi.check';

const OVERLAY = join(__dirname, '../../../../deploy/overlays/prod-strimzi');
const rendered = renderKustomization(OVERLAY);
const render = () => structuredClone(rendered);
const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name) as K8sObject & { spec: Record<string, unknown> };

describe(checkStrimzi.name, () => {
  const messages = (objects: K8sObject[]) =>
    checkStrimzi(objects, topicTable()).map((f) => `${f.subject}: ${f.message}`);
  const strimziSchema = (objects: K8sObject[]) =>
    validateAgainstSchemas(objects.filter((o) => o.apiVersion.startsWith('kafka.strimzi.io/'))).map(
      (f) => `${f.subject}: ${f.message}`,
    );

  it('accepts the prod-strimzi overlay, and its Kafka, node pool and topics match the Strimzi CRDs', () => {
    expect(messages(render())).toEqual([]);
    expect(strimziSchema(render())).toEqual([]);
    expect(render().filter((o) => o.kind === 'KafkaTopic')).toHaveLength(topicTable().length);
  });

  it('holds the KafkaTopics generated from the topic table', () => {
    expect(readFileSync(join(OVERLAY, 'kafka-topics.yaml'), 'utf8')).toEqual(
      renderKafkaTopics(topicTable(), STRIMZI_TOPICS),
    );
  });

  it('refuses a KafkaTopic whose settings drift from the table, and a missing one', () => {
    const objects = render().filter((o) => o.metadata.name !== 'strata.data-changes.v1.dlq');
    const reply = find(objects, 'KafkaTopic', 'strata.cache.lookup.v1.reply');
    reply.spec.config = { 'retention.ms': 604800000 };
    reply.spec.partitions = 6;
    expect(messages(objects)).toEqual([
      'KafkaTopic/strata/strata.cache.lookup.v1.reply: has 6 partitions × 3 replicas, the services 24 × 3 (KAFKA_TOPIC_PARTITIONS, KAFKA_REPLICATION_FACTOR)',
      'KafkaTopic/strata/strata.cache.lookup.v1.reply: config {"retention.ms":"604800000"} differs from the topic table {"cleanup.policy":"delete","retention.ms":"3600000","segment.ms":"600000"}',
      'strata.data-changes.v1.dlq: is in the topic table but has no KafkaTopic',
    ]);
  });

  it('refuses Kafka 4 (kafkajs 2.2 cannot talk to it) and ZooKeeper mode', () => {
    const objects = render();
    const kafka = find(objects, 'Kafka', 'strata');
    (kafka.spec.kafka as Record<string, unknown>).version = '4.0.0';
    delete kafka.metadata.annotations!['strimzi.io/kraft'];
    expect(messages(objects)).toEqual([
      'Kafka/strata/strata: must run KRaft with node pools (annotations strimzi.io/kraft and strimzi.io/node-pools: enabled)',
      'Kafka/strata/strata: runs Kafka 4.0.0: kafkajs 2.2 needs Kafka 3.x (3.9 is the last)',
    ]);
  });

  it('refuses KAFKA_BROKERS that is not the bootstrap of a plain listener', () => {
    const objects = render();
    (find(objects, 'ConfigMap', 'strata-config') as unknown as { data: Record<string, string> }).data.KAFKA_BROKERS =
      'kafka:9092';
    expect(messages(objects)).toEqual([
      'ConfigMap/strata-config: KAFKA_BROKERS=kafka:9092 is not a plain internal listener of the Strimzi Kafka (strata-kafka-bootstrap:9092)',
    ]);
  });

  it('validates the custom resources against the vendored CRD schemas: unknown fields and wrong types', () => {
    const objects = render();
    const topic = find(objects, 'KafkaTopic', 'strata.cache.lookup.v1');
    topic.spec.partition = 3;
    topic.spec.replicas = 'three';
    const pool = find(objects, 'KafkaNodePool', 'dual-role');
    pool.spec.roles = ['broker', 'zookeeper'];
    expect(strimziSchema(objects)).toEqual([
      'KafkaNodePool/strata/dual-role: spec.roles.1 must be equal to one of the allowed values',
      'KafkaTopic/strata/strata.cache.lookup.v1: spec must NOT have additional properties (partition)',
      'KafkaTopic/strata/strata.cache.lookup.v1: spec.replicas must be integer',
    ]);
  });
});
