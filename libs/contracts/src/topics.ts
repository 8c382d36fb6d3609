import { CACHE_ENTRY_GET_TOPIC } from './messages/cache-entry';
import { CACHE_ENTRIES_LIST_TOPIC, CACHE_NAMESPACES_TOPIC } from './messages/cache-entries';
import { CACHE_HITS_TOPIC } from './messages/cache-hits';
import { CACHE_LOOKUP_TOPIC } from './messages/cache-lookup';
import { CACHE_PURGE_TOPIC } from './messages/cache-purge';
import { CACHE_STATS_TOPIC } from './messages/cache-stats';
import { CACHE_STORE_TOPIC } from './messages/cache-store';
import { CACHE_TICKET_TOPIC } from './messages/cache-ticket';
import { CACHE_FEEDBACK_TOPIC } from './messages/cache-feedback';
import { EMBEDDING_EMBED_TOPIC } from './messages/embedding-embed';
import { INVALIDATION_PURGE_TOPIC } from './messages/invalidation-purge';
import { INVALIDATION_RECENT_TOPIC } from './messages/invalidation-recent';
import { DATA_CHANGES_TOPIC } from './messages/data-change';
import { L1_EVICT_TOPIC } from './messages/l1-evict';

/** Request-reply topics: each has a reply topic `<topic>.reply` (NestJS' Kafka convention). */
export const REQUEST_TOPICS = [
  CACHE_LOOKUP_TOPIC,
  CACHE_STORE_TOPIC,
  CACHE_ENTRY_GET_TOPIC,
  CACHE_STATS_TOPIC,
  CACHE_TICKET_TOPIC,
  CACHE_PURGE_TOPIC,
  CACHE_ENTRIES_LIST_TOPIC,
  CACHE_NAMESPACES_TOPIC,
  CACHE_HITS_TOPIC,
  INVALIDATION_PURGE_TOPIC,
  INVALIDATION_RECENT_TOPIC,
  EMBEDDING_EMBED_TOPIC,
  CACHE_FEEDBACK_TOPIC,
] as const;

/** Event topics (no reply). */
export const EVENT_TOPICS = [L1_EVICT_TOPIC, DATA_CHANGES_TOPIC] as const;

export function replyTopic(topic: string): string {
  return `${topic}.reply`;
}

/** Where a consumer sends what it cannot process: `<topic>.dlq`, with the reason and origin. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Every topic Strata uses, for topic creation (the deploy topics Job lists the same). */
export function allTopics(extraEventTopics: readonly string[] = []): string[] {
  const events = [...EVENT_TOPICS, ...extraEventTopics];
  return [
    ...REQUEST_TOPICS,
    ...REQUEST_TOPICS.map(replyTopic),
    ...REQUEST_TOPICS.map(deadLetterTopic),
    ...events,
    ...events.map(deadLetterTopic),
  ];
}
