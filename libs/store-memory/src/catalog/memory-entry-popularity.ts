import { type EntryHits, type EntryPopularity, type Popularity, type RankedEntry } from '@strata/cache-core';

export interface MemoryEntryPopularityOptions {
  /** Entries remembered per tenant; past it the least hit are forgotten. Default 100 000. */
  readonly maxEntriesPerTenant?: number;
}

interface Counter {
  hits: number;
  lastHitAt: number;
}

/** Entry popularity of the embedded default: a map per tenant, bounded. */
export class MemoryEntryPopularity implements EntryPopularity {
  private readonly byTenant = new Map<string, Map<string, Counter>>();
  private readonly maxPerTenant: number;

  constructor(options: MemoryEntryPopularityOptions = {}) {
    this.maxPerTenant = options.maxEntriesPerTenant ?? 100_000;
  }

  record(hits: readonly EntryHits[]): Promise<void> {
    for (const hit of hits) {
      let counters = this.byTenant.get(hit.tenant);
      if (!counters) {
        counters = new Map();
        this.byTenant.set(hit.tenant, counters);
      }
      const counter = counters.get(hit.id);
      if (counter) {
        counter.hits += hit.count;
        counter.lastHitAt = Math.max(counter.lastHitAt, hit.lastHitAt);
      } else {
        counters.set(hit.id, { hits: hit.count, lastHitAt: hit.lastHitAt });
      }
    }
    for (const counters of this.byTenant.values()) this.trim(counters);
    return Promise.resolve();
  }

  of(tenant: string, ids: readonly string[]): Promise<Map<string, Popularity>> {
    const counters = this.byTenant.get(tenant);
    const found = new Map<string, Popularity>();
    for (const id of ids) {
      const counter = counters?.get(id);
      if (counter) found.set(id, { hits: counter.hits, lastHitAt: counter.lastHitAt });
    }
    return Promise.resolve(found);
  }

  ranked(tenant: string, by: 'hits' | 'recent', offset: number, count: number): Promise<RankedEntry[]> {
    const all = [...(this.byTenant.get(tenant) ?? [])].map(([id, c]) => ({ id, hits: c.hits, lastHitAt: c.lastHitAt }));
    const key = by === 'hits' ? 'hits' : 'lastHitAt';
    all.sort((a, b) => b[key] - a[key] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return Promise.resolve(all.slice(offset, offset + count));
  }

  forget(tenant: string, ids: readonly string[]): Promise<void> {
    const counters = this.byTenant.get(tenant);
    if (!counters) return Promise.resolve();
    for (const id of ids) counters.delete(id);
    if (counters.size === 0) this.byTenant.delete(tenant);
    return Promise.resolve();
  }

  private trim(counters: Map<string, Counter>): void {
    if (counters.size <= this.maxPerTenant) return;
    const least = [...counters].sort((a, b) => a[1].hits - b[1].hits).slice(0, counters.size - this.maxPerTenant);
    for (const [id] of least) counters.delete(id);
  }
}
