import { hostname } from 'node:os';
import { type Provider } from '@nestjs/common';
import { type CustomTransportStrategy } from '@nestjs/microservices';
import { type StrataConfig } from '@strata/config';
import {
  CACHE_ENTRY_GET_TOPIC,
  CACHE_FEEDBACK_TOPIC,
  CACHE_LOOKUP_TOPIC,
  CACHE_PURGE_TOPIC,
  CACHE_SERVICE,
  CACHE_STATS_TOPIC,
  CACHE_STORE_TOPIC,
  CACHE_TICKET_TOPIC,
  type CacheService,
  EMBEDDINGS,
  EMBEDDING_EMBED_TOPIC,
  type Embeddings,
  INVALIDATION,
  INVALIDATION_PURGE_TOPIC,
  type Invalidation,
  L1_EVICTIONS,
  type L1Evictions,
} from '@strata/contracts';
import {
  KafkaCacheService,
  KafkaEmbeddings,
  KafkaInvalidation,
  KafkaL1Evictions,
  type KafkaRequester,
  createKafkaRequester,
  createKafkaServer,
} from '@strata/transport';
import { type ServiceName } from './transport-factory';

/** The request topics each service sends (its client consumes their replies). */
const REQUESTS_SENT: Record<ServiceName, readonly string[]> = {
  gateway: [
    CACHE_LOOKUP_TOPIC,
    CACHE_STORE_TOPIC,
    CACHE_TICKET_TOPIC,
    CACHE_ENTRY_GET_TOPIC,
    CACHE_STATS_TOPIC,
    INVALIDATION_PURGE_TOPIC,
    EMBEDDING_EMBED_TOPIC,
    CACHE_FEEDBACK_TOPIC,
  ],
  cache: [EMBEDDING_EMBED_TOPIC],
  embedding: [],
  invalidation: [CACHE_PURGE_TOPIC],
};

/** Request topics on every lookup's path: served, and their replies consumed, by consumers of their own. */
/** How often request-reply consumers commit their offsets (each request's own commit is a round trip). */
const REPLY_COMMIT_EVERY_MS = 5_000;

const HOT_REQUESTS: readonly string[] = [CACHE_LOOKUP_TOPIC];

/**
 * Distributed mode's transport: NestJS' Kafka server (its handlers) and a lean kafkajs requester
 * (`KafkaRequester`: everything it sends), behind the Kafka adapters of the ports the
 * service calls. Gateways consume the L1-eviction broadcast in a consumer group of their own, so every
 * replica gets every eviction.
 */
export class KafkaTransportFactory {
  private client: KafkaRequester | undefined;
  private readonly instanceId: string;

  constructor(
    private readonly config: StrataConfig,
    private readonly service: ServiceName,
  ) {
    this.instanceId = config.kafka.instanceId ?? `${hostname()}-${process.pid}`;
  }

  groupId(): string {
    return this.service === 'gateway' ? `strata-gateway-${this.instanceId}` : `strata-${this.service}`;
  }

  /**
   * The Kafka servers of this service's handlers. The cache service serves lookups on a server (consumer group
   * `strata-cache-lookup`) of their own: kafkajs has no fetch sessions, so a consumer of all its request topics
   * would list every partition of each in every fetch, and a lookup would wait on that.
   */
  servers(): CustomTransportStrategy[] {
    const clientId = `${this.config.kafka.clientId}-${this.service}`;
    switch (this.service) {
      case 'cache':
        // Request-reply only: offsets committed every few seconds rather than after every request.
        return [
          createKafkaServer(
            this.config,
            `${clientId}-lookup`,
            `${this.groupId()}-lookup`,
            false,
            (topic) => HOT_REQUESTS.includes(topic),
            REPLY_COMMIT_EVERY_MS,
          ),
          createKafkaServer(
            this.config,
            clientId,
            this.groupId(),
            false,
            (topic) => !HOT_REQUESTS.includes(topic),
            REPLY_COMMIT_EVERY_MS,
          ),
        ];
      case 'embedding':
        return [createKafkaServer(this.config, clientId, this.groupId(), false, undefined, REPLY_COMMIT_EVERY_MS)];
      case 'gateway':
        return [createKafkaServer(this.config, clientId, this.groupId())];
      case 'invalidation':
        // Its first start must not skip data changes published before it: replaying them is harmless (events
        // are applied once by id, purges are idempotent).
        return [createKafkaServer(this.config, clientId, this.groupId(), true)];
    }
  }

  /** The Kafka adapters of the ports this service calls. */
  ports(): Provider[] {
    const cache = (): CacheService => new KafkaCacheService(this.messaging());
    const embeddings = (): Embeddings => new KafkaEmbeddings(this.messaging());
    const invalidation = (): Invalidation => new KafkaInvalidation(this.messaging());
    const evictions = (): L1Evictions => new KafkaL1Evictions(this.messaging());
    switch (this.service) {
      case 'gateway':
        return [
          { provide: CACHE_SERVICE, useValue: cache() },
          { provide: INVALIDATION, useValue: invalidation() },
          { provide: EMBEDDINGS, useValue: embeddings() },
          // Feedback's blocks evict the pairing from every gateway's L1 (purges go through the invalidation service).
          { provide: L1_EVICTIONS, useValue: evictions() },
        ];
      case 'cache':
        return [
          { provide: EMBEDDINGS, useValue: embeddings() },
          // A failed hit audit evicts the entry from every gateway's L1, like feedback's block.
          { provide: L1_EVICTIONS, useValue: evictions() },
        ];
      case 'embedding':
        return [];
      case 'invalidation':
        return [
          { provide: CACHE_SERVICE, useValue: cache() },
          { provide: L1_EVICTIONS, useValue: evictions() },
        ];
    }
  }

  /** Connects the client (so the first request does not pay for it). */
  async connect(): Promise<void> {
    await this.client?.connect();
  }

  async close(): Promise<void> {
    await this.client?.close();
    this.client = undefined;
  }

  private messaging(): KafkaRequester {
    // Replies are work-shared by the replicas of a service: each gets its own reply partitions.
    this.client ??= createKafkaRequester(
      this.config,
      `${this.config.kafka.clientId}-${this.service}`,
      `strata-${this.service}`,
      REQUESTS_SENT[this.service],
      HOT_REQUESTS,
    );
    return this.client;
  }
}
