import { type CacheEntry, type ExactStore, type PurgeSelector, isExpired } from '@strata/cache-core';
import { LRUCache } from 'lru-cache';
import { TenantIndex } from './tenant-index';

export interface MemoryExactStoreOptions {
  /** Most entries held; past it the least recently used entry is evicted (and counted in `evictions`). */
  readonly maxEntries: number;
  /** Bound on the entries' estimated size (`entrySizeBytes`); unset: entry count only. */
  readonly maxBytes?: number;
  /** Epoch milliseconds; injectable for tests. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** Called once per entry evicted for space (what `evictions` counts): the runtime binds it to the metrics. */
  readonly onEvict?: () => void;
}

/** Fixed cost of an entry beyond its texts: the object, its keys and ids, the LRU's and indexes' bookkeeping. */
const ENTRY_OVERHEAD_BYTES = 512;

/** An entry's estimated heap size: response as JSON, query and tags at two bytes a character, plus overhead. */
export function entrySizeBytes(entry: CacheEntry): number {
  let chars = JSON.stringify(entry.response).length + entry.query.length;
  for (const tag of entry.tags) chars += tag.length;
  return ENTRY_OVERHEAD_BYTES + 2 * chars;
}

/**
 * L2 of the embedded default: entries in process memory, bounded and expiring.
 *
 * Built on lru-cache rather than a Map with an expiry sweep: the embedded default must stay bounded
 * whatever the traffic, and lru-cache gives LRU eviction at `maxEntries`, per-entry TTLs (set from
 * `entry.expiresAt`), lazy removal of expired entries, and a `dispose` hook that reports every removal
 * with its reason. The tag and namespace indexes are maintained in that one hook, so they stay exact
 * whatever removed the entry (replace, purge, expiry, eviction). Reads also check `expiresAt` against
 * the injected clock, so expiry is exact to the millisecond (lru-cache's own check is `>`, not `>=`).
 *
 * Entries are stored as given, not copied: `CacheEntry` is immutable by contract.
 */
export class MemoryExactStore implements ExactStore {
  private readonly now: () => number;
  private readonly entries: LRUCache<string, CacheEntry>;
  private readonly tags = new TenantIndex();
  private readonly namespaces = new TenantIndex();
  private evicted = 0;

  constructor(options: MemoryExactStoreOptions) {
    this.now = options.now ?? Date.now;
    const onEvict = options.onEvict;
    this.entries = new LRUCache<string, CacheEntry>({
      max: options.maxEntries,
      // An entry larger than the whole bound is not held (lru-cache refuses it); the next read is a miss.
      ...(options.maxBytes === undefined ? {} : { maxSize: options.maxBytes, sizeCalculation: entrySizeBytes }),
      // Our clock, read on every check (a non-zero resolution would cache it behind a timer).
      perf: { now: this.now },
      ttlResolution: 0,
      dispose: (entry, _id, reason) => {
        this.unindex(entry);
        if (reason !== 'evict') return;
        this.evicted++;
        onEvict?.();
      },
    });
  }

  /**
   * Entries evicted because the store was full (LRU), since construction. Monotonic: expose it as a
   * Prometheus counter. Expiries, replacements and purges are not evictions.
   */
  get evictions(): number {
    return this.evicted;
  }

  get(tenant: string, id: string): Promise<CacheEntry | undefined> {
    const entry = this.entries.get(id);
    if (entry && isExpired(entry, this.now())) {
      this.entries.delete(id);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(entry?.tenant === tenant ? entry : undefined);
  }

  put(entry: CacheEntry): Promise<void> {
    const ttl = entry.expiresAt - this.now();
    if (ttl <= 0) {
      // Already expired: it replaces (removes) any older version and is not stored.
      this.entries.delete(entry.id);
      return Promise.resolve();
    }
    // A replaced older version is disposed (and unindexed) inside `set`, before the new one is indexed.
    this.entries.set(entry.id, entry, { ttl });
    this.index(entry);
    return Promise.resolve();
  }

  purge(selector: PurgeSelector): Promise<number> {
    const { tenant, namespace } = selector;
    let candidates: string[];
    if (selector.tags && selector.tags.length > 0) {
      candidates = selector.tags.flatMap((tag) => this.tags.members(tenant, tag));
    } else if (namespace !== undefined) {
      candidates = this.namespaces.members(tenant, namespace);
    } else {
      return Promise.resolve(0);
    }
    const now = this.now();
    let purged = 0;
    for (const id of candidates) {
      // Stale entries too: purging an expired entry removes it, but it is not counted.
      const entry = this.entries.peek(id, { allowStale: true });
      if (!entry || entry.tenant !== tenant) continue;
      if (namespace !== undefined && entry.namespace !== namespace) continue;
      this.entries.delete(id);
      if (!isExpired(entry, now)) purged++;
    }
    return Promise.resolve(purged);
  }

  count(): Promise<number> {
    this.entries.purgeStale();
    const now = this.now();
    let live = 0;
    for (const entry of this.entries.values()) if (!isExpired(entry, now)) live++;
    return Promise.resolve(live);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * The tenant's live entries (in one namespace and/or with one tag when given), without touching their
   * recency: what the entry catalog pages through.
   */
  entriesOf(tenant: string, filter: { namespace?: string | undefined; tag?: string | undefined }): CacheEntry[] {
    const ids =
      filter.tag !== undefined
        ? this.tags.members(tenant, filter.tag)
        : filter.namespace !== undefined
          ? this.namespaces.members(tenant, filter.namespace)
          : this.namespaces.sizes(tenant).flatMap(([namespace]) => this.namespaces.members(tenant, namespace));
    const now = this.now();
    const entries: CacheEntry[] = [];
    for (const id of ids) {
      const entry = this.entries.peek(id);
      if (entry && entry.tenant === tenant && !isExpired(entry, now)) entries.push(entry);
    }
    return entries;
  }

  /** Entries per namespace of the tenant (expired ones not yet removed included: an estimate). */
  namespaceSizes(tenant: string): Array<{ name: string; entries: number }> {
    return this.namespaces.sizes(tenant).map(([name, entries]) => ({ name, entries }));
  }

  /** (tenant, key) groups in the tag and namespace indexes; zero when the store is empty. For tests. */
  get indexGroups(): number {
    return this.tags.groups + this.namespaces.groups;
  }

  private index(entry: CacheEntry): void {
    this.namespaces.add(entry.tenant, entry.namespace, entry.id);
    for (const tag of entry.tags) this.tags.add(entry.tenant, tag, entry.id);
  }

  private unindex(entry: CacheEntry): void {
    this.namespaces.remove(entry.tenant, entry.namespace, entry.id);
    for (const tag of entry.tags) this.tags.remove(entry.tenant, tag, entry.id);
  }
}
