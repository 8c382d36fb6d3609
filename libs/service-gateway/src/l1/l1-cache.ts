import {
  type CacheEntry,
  type PurgeSelector,
  entryGenerationFields,
  generationOf,
  isExpired,
  purgeGenerationFields,
} from '@strata/cache-core';
import { LRUCache } from 'lru-cache';

interface L1Options {
  readonly maxEntries: number;
  /** Bound on the entries' estimated size (`entrySizeBytes`); unset: entry count only. */
  readonly maxBytes?: number;
  /** L1 keeps an entry at most this long, even when the entry lives longer in L2/L3. */
  readonly maxTtlSeconds: number;
  readonly now?: () => number;
  /** Called for entries dropped to make room (not for deletes or purges). */
  readonly onEvict?: () => void;
}

/**
 * The gateway's in-process tier: an LRU with per-entry TTL (lru-cache), keyed by exact key, plus an
 * index from (tenant, tag) and (tenant, namespace) to keys so purges touch only what they select.
 */
export class L1Cache {
  private readonly lru: LRUCache<string, CacheEntry>;
  private readonly index = new Map<string, Set<string>>();
  /**
   * Generations of recent purges by (tenant, field): an entry read before a purge but arriving after
   * its eviction (a reply in flight) is older than the purge and must not re-enter L1.
   */
  private readonly purgedGenerations = new LRUCache<string, number>({ max: 100_000 });
  private readonly now: () => number;

  constructor(private readonly options: L1Options) {
    this.now = options.now ?? Date.now;
    this.lru = new LRUCache<string, CacheEntry>({
      max: options.maxEntries,
      ...(options.maxBytes === undefined ? {} : { maxSize: options.maxBytes, sizeCalculation: entrySizeBytes }),
      ttlAutopurge: false,
      perf: { now: () => this.now() },
      // Read our clock on every check (a non-zero resolution caches it behind a timer).
      ttlResolution: 0,
      dispose: (entry, key, reason) => {
        this.unindex(key, entry);
        if (reason === 'evict') options.onEvict?.();
      },
    });
  }

  get size(): number {
    return this.lru.size;
  }

  /** The live entry for this exact key and tenant, or undefined. */
  get(exactKey: string, tenant: string): CacheEntry | undefined {
    const entry = this.lru.get(exactKey);
    if (!entry) return undefined;
    if (entry.tenant !== tenant || entry.exactKey !== exactKey) return undefined;
    if (isExpired(entry, this.now())) {
      this.lru.delete(exactKey);
      return undefined;
    }
    return entry;
  }

  /**
   * Adds the entry unless it expired, a purge newer than it touched its tags or namespace, or L1 already
   * holds a newer version of it (a slow reply must not replace what a later store put here).
   */
  set(entry: CacheEntry): boolean {
    const remaining = entry.expiresAt - this.now();
    if (remaining <= 0 || this.purgedSince(entry)) return false;
    // Sized once, here and for lru-cache (its `sizeCalculation` is not called when the size is given). An entry
    // larger than the whole byte bound is never held (lru-cache would refuse it silently).
    const { maxBytes } = this.options;
    const size = maxBytes === undefined ? undefined : entrySizeBytes(entry);
    if (maxBytes !== undefined && size !== undefined && size > maxBytes) return false;
    const held = this.lru.peek(entry.exactKey, { allowStale: true });
    if (
      held &&
      held.tenant === entry.tenant &&
      (generationOf(held) > generationOf(entry) || held.createdAt > entry.createdAt)
    )
      return false;
    const ttl = Math.min(remaining, this.options.maxTtlSeconds * 1000);
    this.lru.set(entry.exactKey, entry, size === undefined ? { ttl } : { ttl, size });
    for (const name of this.indexNames(entry)) {
      let keys = this.index.get(name);
      if (!keys) this.index.set(name, (keys = new Set()));
      keys.add(entry.exactKey);
    }
    return true;
  }

  /** Removes the selected entries of the tenant; returns how many. `generation`: the purge's, when known. */
  purge(selector: PurgeSelector, generation?: number): number {
    if (generation !== undefined) {
      for (const field of purgeGenerationFields(selector)) {
        const key = `${selector.tenant}\u0000${field}`;
        if ((this.purgedGenerations.get(key) ?? 0) < generation) this.purgedGenerations.set(key, generation);
      }
    }
    const candidates = new Set<string>();
    const names = selector.tags
      ? selector.tags.map((tag) => tagIndex(selector.tenant, tag))
      : [nsIndex(selector.tenant, selector.namespace ?? '')];
    for (const name of names) for (const key of this.index.get(name) ?? []) candidates.add(key);
    let purged = 0;
    for (const key of candidates) {
      const entry = this.lru.peek(key, { allowStale: true });
      if (!entry || entry.tenant !== selector.tenant) continue;
      if (selector.namespace !== undefined && entry.namespace !== selector.namespace) continue;
      if (this.lru.delete(key)) purged++;
    }
    return purged;
  }

  private purgedSince(entry: CacheEntry): boolean {
    if (this.purgedGenerations.size === 0) return false;
    const generation = generationOf(entry);
    for (const field of entryGenerationFields(entry)) {
      if ((this.purgedGenerations.get(`${entry.tenant}\u0000${field}`) ?? 0) > generation) return true;
    }
    return false;
  }

  delete(exactKey: string, tenant: string): void {
    const held = this.lru.peek(exactKey, { allowStale: true });
    if (held?.tenant === tenant) this.lru.delete(exactKey);
  }

  clear(): void {
    this.lru.clear();
    this.index.clear();
  }

  private indexNames(entry: CacheEntry): string[] {
    return [nsIndex(entry.tenant, entry.namespace), ...entry.tags.map((tag) => tagIndex(entry.tenant, tag))];
  }

  private unindex(key: string, entry: CacheEntry): void {
    for (const name of this.indexNames(entry)) {
      const keys = this.index.get(name);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.index.delete(name);
    }
  }
}

/** Fixed cost of an entry beyond its texts: the object, its keys and ids, the LRU's bookkeeping. */
const ENTRY_OVERHEAD_BYTES = 512;

/**
 * An entry's estimated heap size: its response as JSON, query and tags at two bytes a character (V8
 * strings are one or two), plus a fixed overhead. Computed once per `set`, never on reads.
 */
export function entrySizeBytes(entry: CacheEntry): number {
  let chars = JSON.stringify(entry.response).length + entry.query.length;
  for (const tag of entry.tags) chars += tag.length;
  return ENTRY_OVERHEAD_BYTES + 2 * chars;
}

function tagIndex(tenant: string, tag: string): string {
  return `t\u0000${tenant}\u0000${tag}`;
}

function nsIndex(tenant: string, namespace: string): string {
  return `n\u0000${tenant}\u0000${namespace}`;
}
