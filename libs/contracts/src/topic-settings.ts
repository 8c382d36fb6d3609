import { CACHE_PURGE_TOPIC } from './messages/cache-purge';
import { CACHE_STORE_TOPIC } from './messages/cache-store';
import { DATA_CHANGES_TOPIC } from './messages/data-change';
import { INVALIDATION_PURGE_TOPIC } from './messages/invalidation-purge';
import { EVENT_TOPICS, REQUEST_TOPICS, allTopics } from './topics';

/**
 * The settings of one topic, applied by whoever creates it (each service at startup, the kafka-topics Job)
 * and re-applied to an existing topic by the Job (`kafka-configs --alter`). Partitions and replication
 * come from KAFKA_TOPIC_PARTITIONS / KAFKA_REPLICATION_FACTOR (one number for every topic: each consumer
 * group and each gateway's reply consumer needs partitions of its own).
 */
export interface TopicSettings {
  readonly topic: string;
  /** Topic-level configs, as Kafka names them. */
  readonly configs: Readonly<Record<string, string>>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Kafka deletes whole segments only, and a segment rolls after 7 days by default: a short retention needs
 * a short `segment.ms` too, or requests and replies pile up for a week.
 */
const shortLived = (retentionMs: number, segmentMs: number) => ({
  'cleanup.policy': 'delete',
  'retention.ms': String(retentionMs),
  'segment.ms': String(segmentMs),
});

/** Requests whose loss costs more than a retry: stores, purges. Kept a day for replay and debugging. */
const DURABLE_REQUESTS: ReadonlySet<string> = new Set([CACHE_STORE_TOPIC, CACHE_PURGE_TOPIC, INVALIDATION_PURGE_TOPIC]);

function configsOf(topic: string): Record<string, string> {
  if (topic.endsWith('.dlq')) return { 'cleanup.policy': 'delete', 'retention.ms': String(14 * DAY) };
  if (topic.endsWith('.reply')) return shortLived(HOUR, 10 * 60_000);
  if (topic === DATA_CHANGES_TOPIC) return { 'cleanup.policy': 'delete', 'retention.ms': String(7 * DAY) };
  if (DURABLE_REQUESTS.has(topic)) return shortLived(DAY, HOUR);
  if ((REQUEST_TOPICS as readonly string[]).includes(topic) || (EVENT_TOPICS as readonly string[]).includes(topic)) {
    return shortLived(HOUR, 10 * 60_000);
  }
  throw new Error(`no settings for topic ${topic}: add it to libs/contracts/src/topic-settings.ts`);
}

/**
 * Every topic Strata uses with its settings, in the order the kafka-topics Job lists them: the ONE table
 * (deploy/base/kafka/topics.txt is generated from it and checked against it by deploy-check).
 */
export function topicTable(): TopicSettings[] {
  return allTopics().map((topic) => ({ topic, configs: configsOf(topic) }));
}

/** The settings of one topic (throws for a topic Strata does not use). */
export function topicSettings(topic: string): TopicSettings {
  return { topic, configs: configsOf(topic) };
}

/** Is this one of the topics of the table? */
export function isStrataTopic(topic: string): boolean {
  return allTopics().includes(topic);
}
