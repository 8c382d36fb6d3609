import { hostname } from 'node:os';
import { type ClientProxy, type ClientKafka, type CustomTransportStrategy } from '@nestjs/microservices';
import { type StrataConfig } from '@strata/config';
import {
  CACHE_ENTRY_GET_TOPIC,
  CACHE_LOOKUP_TOPIC,
  CACHE_PURGE_TOPIC,
  CACHE_STATS_TOPIC,
  CACHE_STORE_TOPIC,
  CACHE_TICKET_TOPIC,
  EMBEDDING_EMBED_TOPIC,
  INVALIDATION_PURGE_TOPIC,
} from '@strata/contracts';
import { createKafkaClient, createKafkaServer } from '@strata/transport';
import { type ServiceName, type TransportFactory } from './transport-factory';

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
  ],
  cache: [EMBEDDING_EMBED_TOPIC],
  embedding: [],
  invalidation: [CACHE_PURGE_TOPIC],
};

/**
 * Distributed mode's transport: NestJS' Kafka transport (kafkajs). Each service process has one Kafka
 * server (its handlers) and one client (everything it sends). Gateways consume the L1-eviction
 * broadcast in a consumer group of their own, so every replica gets every eviction.
 */
export class KafkaTransportFactory implements TransportFactory {
  private readonly clients = new Map<ServiceName, ClientKafka>();
  private readonly instanceId: string;

  constructor(private readonly config: StrataConfig) {
    this.instanceId = config.kafka.instanceId ?? `${hostname()}-${process.pid}`;
  }

  groupId(service: ServiceName): string {
    return service === 'gateway' ? `strata-gateway-${this.instanceId}` : `strata-${service}`;
  }

  server(service: ServiceName): CustomTransportStrategy {
    // The invalidation service's first start must not skip data changes published before it: replaying
    // them is harmless (events are applied once by id, purges are idempotent).
    return createKafkaServer(this.config, `${this.config.kafka.clientId}-${service}`, this.groupId(service), service === 'invalidation');
  }

  client(from: ServiceName): ClientProxy {
    let client = this.clients.get(from);
    if (!client) {
      // Replies are work-shared by the replicas of a service: each gets its own reply partitions.
      client = createKafkaClient(this.config, `${this.config.kafka.clientId}-${from}`, `strata-${from}`, REQUESTS_SENT[from]);
      this.clients.set(from, client);
    }
    return client as unknown as ClientProxy;
  }

  /** Connects the clients (so the first request does not pay for it). */
  async connect(): Promise<void> {
    for (const client of this.clients.values()) await client.connect();
  }

  async close(): Promise<void> {
    for (const client of this.clients.values()) await client.close();
    this.clients.clear();
  }
}
