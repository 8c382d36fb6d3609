import { type EntryHits, type EntryPopularity, type Popularity, type RankedEntry } from '@strata/cache-core';
import { checkKeyPrefix, tenantSlot } from '../connection/key-part';
import { type RedisConnection } from '../connection/redis-connection';
import { encodeText } from '../connection/redis-text';
import { forgetScript, popularityOfScript, rankedScript, recordHitsScript } from './catalog.scripts';

export interface RedisEntryPopularityOptions {
  readonly keyPrefix?: string;
  /** Entries remembered per tenant; past it the least hit are forgotten. Default 100 000. */
  readonly maxEntriesPerTenant?: number;
}

/**
 * Entry popularity in Redis: per tenant a hits zset (`ZINCRBY`) and a last-hit zset (`ZADD GT`), both in the
 * tenant's hash tag. A flush is one script per tenant; gateways aggregate hits in memory before it.
 */
export class RedisEntryPopularity implements EntryPopularity {
  private readonly keyPrefix: string;
  private readonly cap: string;

  constructor(
    private readonly connection: RedisConnection,
    options: RedisEntryPopularityOptions = {},
  ) {
    this.keyPrefix = checkKeyPrefix(options.keyPrefix ?? 'strata:');
    this.cap = String(options.maxEntriesPerTenant ?? 100_000);
  }

  async record(hits: readonly EntryHits[]): Promise<void> {
    const byTenant = new Map<string, string[]>();
    for (const hit of hits) {
      let args = byTenant.get(hit.tenant);
      if (!args) {
        args = [this.cap];
        byTenant.set(hit.tenant, args);
      }
      args.push(hit.id, String(hit.count), String(hit.lastHitAt));
    }
    await Promise.all(
      [...byTenant].map(([tenant, args]) => this.connection.script(recordHitsScript, this.keys(tenant), args)),
    );
  }

  async of(tenant: string, ids: readonly string[]): Promise<Map<string, Popularity>> {
    const found = new Map<string, Popularity>();
    if (ids.length === 0) return found;
    const reply = (await this.connection.script(popularityOfScript, this.keys(tenant), [...ids])) as string[];
    ids.forEach((id, i) => {
      const hits = reply[2 * i];
      const last = reply[2 * i + 1];
      if (hits !== undefined && hits !== '')
        found.set(id, { hits: Number(hits), lastHitAt: last === undefined || last === '' ? null : Number(last) });
    });
    return found;
  }

  async ranked(tenant: string, by: 'hits' | 'recent', offset: number, count: number): Promise<RankedEntry[]> {
    const [hitsKey, recentKey] = this.keys(tenant);
    const keys = by === 'hits' ? [hitsKey, recentKey] : [recentKey, hitsKey];
    const reply = (await this.connection.script(rankedScript, keys, [String(offset), String(count)])) as string[];
    const ranked: RankedEntry[] = [];
    for (let i = 0; i + 2 < reply.length; i += 3) {
      const [id, own, other] = [String(reply[i]), Number(reply[i + 1]), Number(reply[i + 2])];
      const [hits, last] = by === 'hits' ? [own, other] : [other, own];
      ranked.push({ id, hits, lastHitAt: last > 0 ? last : null });
    }
    return ranked;
  }

  async forget(tenant: string, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.connection.script(forgetScript, this.keys(tenant), [...ids]);
  }

  private keys(tenant: string): [string, string] {
    const slot = tenantSlot(encodeText(tenant));
    return [`${this.keyPrefix}ph:${slot}`, `${this.keyPrefix}pr:${slot}`];
  }
}
