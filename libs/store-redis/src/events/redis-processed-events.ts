import { type ProcessedEvents } from '@strata/invalidation';
import { keyPart } from '../connection/key-part';
import { RedisConnection, type RedisConnectionOptions } from '../connection/redis-connection';

export interface RedisProcessedEventsOptions {
  readonly keyPrefix?: string;
  /** How long an applied event id is remembered. Default 7 days (Kafka's default retention). */
  readonly ttlSeconds?: number;
}

/** Applied event ids in Redis (`{prefix}ev:{tenant}:{id}`), shared by every invalidation replica. */
export class RedisProcessedEvents implements ProcessedEvents {
  private readonly keyPrefix: string;
  private readonly ttlSeconds: number;
  private ownsConnection = false;

  constructor(
    private readonly connection: RedisConnection,
    options: RedisProcessedEventsOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? 'strata:';
    this.ttlSeconds = options.ttlSeconds ?? 7 * 24 * 3600;
  }

  static open(options: RedisConnectionOptions & RedisProcessedEventsOptions): RedisProcessedEvents {
    const events = new RedisProcessedEvents(RedisConnection.open(options), options);
    events.ownsConnection = true;
    return events;
  }

  async has(tenant: string, eventId: string): Promise<boolean> {
    return (await this.connection.run((client) => client.exists(this.key(tenant, eventId)))) === 1;
  }

  async add(tenant: string, eventId: string): Promise<void> {
    await this.connection.run((client) => client.set(this.key(tenant, eventId), '1', { EX: this.ttlSeconds }));
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  private key(tenant: string, eventId: string): string {
    return `${this.keyPrefix}ev:${keyPart(tenant)}:${keyPart(eventId)}`;
  }
}
