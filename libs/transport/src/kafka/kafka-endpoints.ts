import { ClientKafka, type KafkaOptions } from '@nestjs/microservices';
import { type StrataConfig } from '@strata/config';
import { kafkaClientConfig, kafkaConsumerConfig, kafkaProducerConfig } from './kafka-client-config';
import { KafkaRequester } from './kafka-requester';
import { StrataServerKafka } from './strata-server-kafka';

/** NestJS vendors its own copy of the kafkajs types; the objects are kafkajs' own. */
type NestKafka = Required<KafkaOptions>['options'];

/** Poison messages are dead-lettered after this many failed deliveries. */
const MAX_ATTEMPTS = 10;

/**
 * The Kafka server of one service: consumes the topics its handlers declare, in consumer group
 * `<groupId>-server` (work-sharing among the service's replicas; a unique group for broadcasts).
 */
export function createKafkaServer(
  config: StrataConfig,
  clientId: string,
  groupId: string,
  /** A new group starts at the oldest message (events published before the service first ran) rather than the newest. */
  fromBeginning = false,
  /** Only these of the handlers' topics (default: all). */
  topics?: (topic: string) => boolean,
  /**
   * Request-reply only: commit offsets at most this often instead of after every batch (an OffsetCommit round
   * trip per request otherwise). Only handled messages are ever committed; after a crash the requests of the last
   * interval are answered again, which nobody waits for (requests are idempotent). Unset for event topics.
   */
  commitEveryMs?: number,
): StrataServerKafka {
  return new StrataServerKafka(
    {
      client: kafkaClientConfig(config, clientId),
      consumer: kafkaConsumerConfig(config, groupId) as unknown as NestKafka['consumer'],
      producer: kafkaProducerConfig(),
      subscribe: { fromBeginning },
      run: { partitionsConsumedConcurrently: 4 },
      postfixId: '-server',
    },
    {
      maxAttempts: MAX_ATTEMPTS,
      heartbeatIntervalMs: Math.max(100, Math.floor(config.kafka.sessionTimeoutMs / 3)),
      ...(topics === undefined ? {} : { topics }),
      ...(commitEveryMs === undefined ? {} : { commitEveryMs }),
    },
  );
}

/**
 * The Kafka client of one service: produces requests and events and consumes the replies of the
 * request topics it uses (group `<groupId>-client`: each replica gets its own reply partitions).
 */
export function createKafkaClient(
  config: StrataConfig,
  clientId: string,
  groupId: string,
  requestTopics: readonly string[],
): ClientKafka {
  const client = new ClientKafka({
    client: kafkaClientConfig(config, clientId),
    consumer: kafkaConsumerConfig(config, groupId) as unknown as NestKafka['consumer'],
    producer: kafkaProducerConfig(),
    producerOnlyMode: requestTopics.length === 0,
    postfixId: '-client',
  });
  for (const topic of requestTopics) client.subscribeToResponseOf(topic);
  return client;
}

/**
 * The requests and events one service sends to the others: a {@link KafkaRequester} consuming the replies of
 * `requestTopics` in group `<groupId>-client` (each replica gets its own reply partitions), except those of the
 * `hot` topics, each consumed in a group of its own (`<groupId>-client-<hot topic>`) so its fetches stay small.
 */
export function createKafkaRequester(
  config: StrataConfig,
  clientId: string,
  groupId: string,
  requestTopics: readonly string[],
  hot: readonly string[] = [],
): KafkaRequester {
  const consumer = kafkaConsumerConfig(config, `${groupId}-client`);
  return new KafkaRequester({
    client: kafkaClientConfig(config, `${clientId}-client`),
    consumer: {
      sessionTimeoutMs: consumer.sessionTimeout ?? config.kafka.sessionTimeoutMs,
      heartbeatIntervalMs: consumer.heartbeatInterval ?? 3_000,
    },
    lanes: [
      { groupId: consumer.groupId, requestTopics: requestTopics.filter((topic) => !hot.includes(topic)) },
      ...hot
        .filter((topic) => requestTopics.includes(topic))
        .map((topic) => ({ groupId: `${consumer.groupId}-${topic}`, requestTopics: [topic] })),
    ],
  });
}
