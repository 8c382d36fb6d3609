import { type PurgeGenerations } from '@strata/cache-core';
import { checkKeyPrefix, tenantSlot } from '../connection/key-part';
import { RedisConnection, type RedisConnectionOptions } from '../connection/redis-connection';
import { encodeText } from '../connection/redis-text';
import { advanceScript, readScript } from './generations.scripts';

export interface RedisPurgeGenerationsOptions {
  readonly keyPrefix?: string;
  /**
   * How long a field's generation is kept after its last purge: longer than any entry can live (the
   * largest TTL), after which no entry it could make stale exists any more. Default: forever.
   */
  readonly retainMs?: number;
  /** Most fields kept per tenant; past it the oldest are folded into the floor. Default 100 000. */
  readonly maxFieldsPerTenant?: number;
  /** On a cluster: longest wait for a replica to acknowledge a purge's generation. Default 100. */
  readonly replicaWaitMs?: number;
  readonly now?: () => number;
}

/**
 * Purge generations in Redis, shared by every cache-service replica: per tenant a hash
 * `{prefix}g:{tenant}` (`#seq`, `#floor`, one field per purged tag/namespace) and a zset
 * `{prefix}g:{tenant}:at` (when each field was stamped), in the tenant's Redis Cluster slot. Neither key
 * expires; losing them (restart without persistence, eviction, failover) starts a new epoch, which makes
 * every older entry stale (see `PurgeGenerations`). Field names are stored with `encodeText`.
 */
export class RedisPurgeGenerations implements PurgeGenerations {
  private readonly keyPrefix: string;
  private readonly retainMs: number;
  private readonly maxFields: number;
  private readonly replicaWaitMs: number;
  private readonly now: () => number;
  private ownsConnection = false;

  constructor(
    private readonly connection: RedisConnection,
    options: RedisPurgeGenerationsOptions = {},
  ) {
    this.keyPrefix = checkKeyPrefix(options.keyPrefix ?? 'strata:');
    this.retainMs = options.retainMs ?? 0;
    this.maxFields = options.maxFieldsPerTenant ?? 100_000;
    this.replicaWaitMs = options.replicaWaitMs ?? 100;
    this.now = options.now ?? Date.now;
  }

  static open(options: RedisConnectionOptions & RedisPurgeGenerationsOptions): RedisPurgeGenerations {
    const generations = new RedisPurgeGenerations(RedisConnection.open(options), options);
    generations.ownsConnection = true;
    return generations;
  }

  get redis(): RedisConnection {
    return this.connection;
  }

  async current(tenant: string): Promise<number> {
    const [sequence] = await this.read(tenant, []);
    return Number(sequence);
  }

  async advance(tenant: string, fields: readonly string[]): Promise<number> {
    const args = [String(this.now()), String(this.retainMs), String(this.maxFields), ...fields.map(encodeText)];
    const keys = this.stateKeys(tenant);
    const reply = await this.connection.script(advanceScript, keys, args);
    // On a cluster, a purge is acknowledged once a replica has it, so a failover right after it cannot
    // bring back what it made stale (best effort: a master without a live replica answers after the wait).
    if (this.connection.isCluster) await this.connection.waitForReplicas(keys[0], 1, this.replicaWaitMs);
    return Number(reply);
  }

  async latest(tenant: string, fields: readonly string[]): Promise<number> {
    const [, floor, ...stamped] = await this.read(tenant, fields);
    let latest = Number(floor);
    for (const value of stamped) if (value !== null && value !== undefined) latest = Math.max(latest, Number(value));
    return latest;
  }

  /** The tenant's generations hash and its stamp-time zset, in the tenant's Redis Cluster slot (scripts' KEYS[1], KEYS[2]). */
  stateKeys(tenant: string): [string, string] {
    const key = `${this.keyPrefix}g:${tenantSlot(tenant)}`;
    return [key, `${key}:at`];
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  private async read(tenant: string, fields: readonly string[]): Promise<(string | null | undefined)[]> {
    const reply = await this.connection.script(readScript, this.stateKeys(tenant), fields.map(encodeText));
    return reply as (string | null)[];
  }
}
