import { type PurgeGenerations } from '@strata/cache-core';
import { keyPart } from '../connection/key-part';
import { LuaScript } from '../connection/lua-script';
import { RedisConnection, type RedisConnectionOptions } from '../connection/redis-connection';

/**
 * Advances the tenant's sequence and stamps it on every field, atomically; records when each field was
 * stamped and forgets fields stamped longer ago than the retention (at most 1 000 per call).
 * KEYS[1] = generations hash, KEYS[2] = stamp times (zset); ARGV = now, retention ms (0: forever), fields.
 */
const advanceScript = new LuaScript(`
local generation = redis.call('HINCRBY', KEYS[1], '#seq', 1)
local now, retain = tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 3, #ARGV do
  redis.call('HSET', KEYS[1], ARGV[i], generation)
  redis.call('ZADD', KEYS[2], now, ARGV[i])
end
if retain > 0 then
  local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - retain, 'LIMIT', 0, 1000)
  if #old > 0 then
    redis.call('HDEL', KEYS[1], unpack(old))
    redis.call('ZREM', KEYS[2], unpack(old))
  end
end
return generation
`);

export interface RedisPurgeGenerationsOptions {
  readonly keyPrefix?: string;
  /**
   * How long a field's generation is kept after its last purge: longer than any entry can live (the
   * largest TTL), after which no entry it could make stale exists any more. Default: forever.
   */
  readonly retainMs?: number;
  readonly now?: () => number;
}

/**
 * Purge generations in Redis, one hash per tenant (`{prefix}g:{tenant}`: `#seq` and one field per
 * purged tag/namespace, plus `{prefix}g:{tenant}:at`, when each field was stamped), shared by every
 * cache-service replica. The sequence never expires (a restarted sequence would make live entries look
 * fresh); fields are forgotten once older than `retainMs`.
 */
export class RedisPurgeGenerations implements PurgeGenerations {
  private readonly keyPrefix: string;
  private readonly retainMs: number;
  private readonly now: () => number;
  private ownsConnection = false;

  constructor(
    private readonly connection: RedisConnection,
    options: RedisPurgeGenerationsOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? 'strata:';
    this.retainMs = options.retainMs ?? 0;
    this.now = options.now ?? Date.now;
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
    const key = this.key(tenant);
    const reply = await this.connection.run((client) =>
      advanceScript.run(client, [key, `${key}:at`], [String(this.now()), String(this.retainMs), ...fields]),
    );
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
