import { type PurgeGenerations } from '@strata/cache-core';
import { keyPart } from '../connection/key-part';
import { LuaScript } from '../connection/lua-script';
import { RedisConnection, type RedisConnectionOptions } from '../connection/redis-connection';

/** Advances the tenant's sequence and stamps it on every field, atomically. KEYS[1] = hash, ARGV = fields. */
const advanceScript = new LuaScript(`
local generation = redis.call('HINCRBY', KEYS[1], '#seq', 1)
for i = 1, #ARGV do redis.call('HSET', KEYS[1], ARGV[i], generation) end
return generation
`);

export interface RedisPurgeGenerationsOptions {
  readonly keyPrefix?: string;
}

/**
 * Purge generations in Redis, one hash per tenant (`{prefix}g:{tenant}`: `#seq` and one field per
 * purged tag/namespace), shared by every cache-service replica. The hash never expires: a sequence
 * that restarted while entries stamped with the old one live would make them look fresh.
 */
export class RedisPurgeGenerations implements PurgeGenerations {
  private readonly keyPrefix: string;
  private ownsConnection = false;

  constructor(
    private readonly connection: RedisConnection,
    options: RedisPurgeGenerationsOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? 'strata:';
  }

  static open(options: RedisConnectionOptions & RedisPurgeGenerationsOptions): RedisPurgeGenerations {
    const generations = new RedisPurgeGenerations(RedisConnection.open(options), options);
    generations.ownsConnection = true;
    return generations;
  }

  async current(tenant: string): Promise<number> {
    const value = await this.connection.run((client) => client.hGet(this.key(tenant), '#seq'));
    return value === undefined || value === null ? 0 : Number(value);
  }

  async advance(tenant: string, fields: readonly string[]): Promise<number> {
    const reply = await this.connection.run((client) => advanceScript.run(client, [this.key(tenant)], [...fields]));
    return Number(reply);
  }

  async latest(tenant: string, fields: readonly string[]): Promise<number> {
    if (fields.length === 0) return 0;
    const values = await this.connection.run((client) => client.hmGet(this.key(tenant), [...fields]));
    let latest = 0;
    for (const value of values) if (value !== null && value !== undefined) latest = Math.max(latest, Number(value));
    return latest;
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  private key(tenant: string): string {
    return `${this.keyPrefix}g:${keyPart(tenant)}`;
  }
}
