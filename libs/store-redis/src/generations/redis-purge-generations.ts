import { type PurgeGenerations } from '@strata/cache-core';
import { checkKeyPrefix, tenantSlot } from '../connection/key-part';
import { LuaScript } from '../connection/lua-script';
import { RedisConnection, type RedisConnectionOptions } from '../connection/redis-connection';
import { encodeText } from '../connection/redis-text';

/*
 * KEYS[1] = the tenant's generations hash (`#seq`, `#floor`, one field per purged tag/namespace),
 * KEYS[2] = when each field was stamped (zset, score = ms). Both carry the tenant's hash tag (one slot).
 * A missing hash is a new epoch: `#seq` and `#floor` start at the server's clock in microseconds, above
 * every generation the lost state handed out (see `PurgeGenerations`).
 */
const STATE = `
local function state()
  if redis.call('HEXISTS', KEYS[1], '#seq') == 1 then return end
  local t = redis.call('TIME')
  local start = t[1] .. string.format('%06d', tonumber(t[2]))
  redis.call('HSET', KEYS[1], '#seq', start, '#floor', start)
  redis.call('DEL', KEYS[2])
end
`;

/** ARGV: fields. Returns { #seq, #floor, generation of each field (or false) }. */
const readScript = new LuaScript(`${STATE}
state()
return redis.call('HMGET', KEYS[1], '#seq', '#floor', unpack(ARGV))
`);

/**
 * Advances the sequence and stamps it on every field, then forgets fields stamped longer ago than the
 * retention and the oldest fields past the cap, folding each forgotten generation into `#floor`.
 * ARGV = now (ms), retention ms (0: forever), max fields, fields…
 */
const advanceScript = new LuaScript(`${STATE}
state()
local generation = redis.call('HINCRBY', KEYS[1], '#seq', 1)
local now, retain, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 4, #ARGV do
  redis.call('HSET', KEYS[1], ARGV[i], generation)
  redis.call('ZADD', KEYS[2], now, ARGV[i])
end
local floor = tonumber(redis.call('HGET', KEYS[1], '#floor'))
local function forget(old)
  for i = 1, #old, 500 do
    local chunk = { unpack(old, i, math.min(i + 499, #old)) }
    for _, g in ipairs(redis.call('HMGET', KEYS[1], unpack(chunk))) do
      if g then floor = math.max(floor, tonumber(g)) end
    end
    redis.call('HDEL', KEYS[1], unpack(chunk))
    redis.call('ZREM', KEYS[2], unpack(chunk))
  end
end
if retain > 0 then forget(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - retain, 'LIMIT', 0, 1000)) end
local over = redis.call('ZCARD', KEYS[2]) - cap
if over > 0 then forget(redis.call('ZRANGE', KEYS[2], 0, over - 1)) end
redis.call('HSET', KEYS[1], '#floor', string.format('%d', floor))
return generation
`);

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

  async current(tenant: string): Promise<number> {
    const [sequence] = await this.read(tenant, []);
    return Number(sequence);
  }

  async advance(tenant: string, fields: readonly string[]): Promise<number> {
    const args = [String(this.now()), String(this.retainMs), String(this.maxFields), ...fields.map(encodeText)];
    const keys = this.keys(tenant);
    const reply = await this.connection.script(advanceScript, keys, args);
    // On a cluster, a purge is acknowledged once a replica has it, so a failover right after it cannot
    // bring back what it made stale (best effort: a master without a live replica answers after the wait).
    if (this.connection.isCluster) await this.connection.waitForReplicas(keys[0] ?? '', 1, this.replicaWaitMs);
    return Number(reply);
  }

  async latest(tenant: string, fields: readonly string[]): Promise<number> {
    const [, floor, ...stamped] = await this.read(tenant, fields);
    let latest = Number(floor);
    for (const value of stamped) if (value !== null && value !== undefined) latest = Math.max(latest, Number(value));
    return latest;
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  private async read(tenant: string, fields: readonly string[]): Promise<(string | null | undefined)[]> {
    const reply = await this.connection.script(readScript, this.keys(tenant), fields.map(encodeText));
    return reply as (string | null)[];
  }

  private keys(tenant: string): string[] {
    const key = `${this.keyPrefix}g:${tenantSlot(tenant)}`;
    return [key, `${key}:at`];
  }
}
