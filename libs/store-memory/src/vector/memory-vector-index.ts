import {
  type CacheEntry,
  type PurgeSelector,
  type SimilarEntry,
  type SimilarSearch,
  type VectorCandidate,
  type VectorIndex,
  type VectorSearch,
  isExpired,
} from '@strata/cache-core';
import { TenantGroups } from './tenant-groups';
import { TopK } from './top-k';
import { type PartitionMember, VectorPartition } from './vector-partition';

export interface MemoryVectorIndexOptions {
  /**
   * Most entries held across all models; past it the oldest-written entry is evicted (counted in `evictions`).
   * Unbounded when omitted.
   */
  readonly maxEntries?: number;
  /** Epoch milliseconds for `count`, `purge`, `upsert` and `sweepExpired`; injectable for tests. Defaults to `Date.now`. */
  readonly now?: () => number;
}

/** One stored entry and where its vector lives. Allocated per upsert, never per search. */
class Slot implements PartitionMember {
  position = -1;

  constructor(
    readonly entry: CacheEntry,
    readonly space: ModelSpace,
    readonly partition: VectorPartition<Slot>,
  ) {}
}

/** Everything stored for one embedding model: what a Qdrant collection is to the Qdrant adapter. */
class ModelSpace {
  readonly byId = new Map<string, Slot>();
  /** tenant → context hash → partition. */
  readonly partitions = new Map<string, Map<string, VectorPartition<Slot>>>();
  /** Scratch for the normalised query vector (searches run synchronously, so one per model suffices). */
  readonly query: Float32Array;

  constructor(readonly dimension: number) {
    this.query = new Float32Array(dimension);
  }

  partition(tenant: string, contextHash: string): VectorPartition<Slot> | undefined {
    return this.partitions.get(tenant)?.get(contextHash);
  }

  partitionFor(tenant: string, contextHash: string): VectorPartition<Slot> {
    let contexts = this.partitions.get(tenant);
    if (!contexts) {
      contexts = new Map();
      this.partitions.set(tenant, contexts);
    }
    let partition = contexts.get(contextHash);
    if (!partition) {
      partition = new VectorPartition<Slot>(this.dimension);
      contexts.set(contextHash, partition);
    }
    return partition;
  }

  dropIfEmpty(tenant: string, contextHash: string): void {
    const contexts = this.partitions.get(tenant);
    if (contexts?.get(contextHash)?.size !== 0) return;
    contexts.delete(contextHash);
    if (contexts.size === 0) this.partitions.delete(tenant);
  }
}

/**
 * L3 of the embedded default: an exact (brute-force) cosine index in process memory.
 *
 * Entries are partitioned by (embedding model, tenant, context hash), so a search scans only the vectors of its
 * own context and can never see another tenant's or another context's entry. Each partition keeps unit vectors
 * packed in a Float32Array and is scanned with an unrolled dot product; a search allocates only its result.
 * Expired entries are skipped by the scan and removed after it (or by `sweepExpired`). Tag and namespace
 * indexes make purges proportional to what they remove. Exact search is the right tool at this tier's scale:
 * the scan cost is per context, not per index (see `bench/README.md` for latencies up to 1M entries).
 *
 * Entries are stored as given, not copied: `CacheEntry` is immutable by contract.
 */
export class MemoryVectorIndex implements VectorIndex {
  private readonly now: () => number;
  private readonly maxEntries: number;
  private readonly spaces = new Map<string, ModelSpace>();
  private readonly tags = new TenantGroups<Slot>();
  private readonly namespaces = new TenantGroups<Slot>();
  /** Write order, for eviction; kept only when bounded. */
  private readonly writeOrder: Set<Slot> | undefined;
  private readonly top = new TopK();
  private stored = 0;
  private evicted = 0;

  constructor(options: MemoryVectorIndexOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
    if (!(this.maxEntries >= 1)) throw new RangeError(`maxEntries must be at least 1, got ${this.maxEntries}`);
    this.writeOrder = Number.isFinite(this.maxEntries) ? new Set() : undefined;
  }

  /** Entries evicted because the index was full, since construction. Monotonic: expose it as a counter. */
  get evictions(): number {
    return this.evicted;
  }

  /** Entries held, including expired ones not yet removed. */
  get size(): number {
    return this.stored;
  }

  upsert(model: string, entry: CacheEntry, vector: readonly number[] | Float32Array): Promise<void> {
    const norm = vectorNorm(vector);
    if (Number.isNaN(norm)) return Promise.reject(invalidVector(vector));
    let space = this.spaces.get(model);
    if (!space) {
      space = new ModelSpace(vector.length);
      this.spaces.set(model, space);
    } else if (space.dimension !== vector.length) {
      return Promise.reject(dimensionError(model, space.dimension, vector.length));
    }

    const previous = space.byId.get(entry.id);
    if (previous) this.remove(previous);
    // Already expired: it replaces (removes) any older version and is not stored.
    if (isExpired(entry, this.now())) return Promise.resolve();
    if (this.stored >= this.maxEntries) this.evictOldest();

    const partition = space.partitionFor(entry.tenant, entry.contextHash);
    const slot = new Slot(entry, space, partition);
    partition.append(vector, norm > 0 ? 1 / norm : 0, entry.expiresAt, slot);
    space.byId.set(entry.id, slot);
    this.namespaces.add(entry.tenant, entry.namespace, slot);
    for (const tag of entry.tags) this.tags.add(entry.tenant, tag, slot);
    this.writeOrder?.add(slot);
    this.stored++;
    return Promise.resolve();
  }

  search(query: VectorSearch): Promise<VectorCandidate[]> {
    const space = this.spaces.get(query.model);
    if (!space || !(query.limit >= 1)) return Promise.resolve([]);
    if (query.vector.length !== space.dimension) {
      return Promise.reject(dimensionError(query.model, space.dimension, query.vector.length));
    }
    const partition = space.partition(query.tenant, query.contextHash);
    if (!partition) return Promise.resolve([]);

    const norm = vectorNorm(query.vector);
    if (Number.isNaN(norm)) return Promise.reject(invalidVector(query.vector));
    const unitQuery = space.query;
    const scale = norm > 0 ? 1 / norm : 0;
    for (let d = 0; d < unitQuery.length; d++) unitQuery[d] = query.vector[d] * scale;

    const top = this.top;
    top.reset(Math.min(query.limit, partition.size));
    const expired = partition.scan(unitQuery, query.now, query.minScore, top);
    const candidates = new Array<VectorCandidate>(top.count);
    for (let rank = 0; rank < top.count; rank++) {
      const score = Math.min(1, Math.max(-1, top.scoreAt(rank)));
      candidates[rank] = { entry: partition.memberAt(top.positionAt(rank)).entry, score };
    }
    // Removal goes by the index's own clock too, so a caller's future `now` cannot delete live entries.
    if (expired > 0) this.removeExpired(partition, Math.min(query.now, this.now()));
    return Promise.resolve(candidates);
  }

  /** Scans every partition of the tenant in the model's space (a purge-time operation, not a lookup's hot path). */
  findSimilar(query: SimilarSearch): Promise<SimilarEntry[]> {
    const space = this.spaces.get(query.model);
    if (!space || !(query.limit >= 1)) return Promise.resolve([]);
    if (query.vector.length !== space.dimension) {
      return Promise.reject(dimensionError(query.model, space.dimension, query.vector.length));
    }
    const contexts = space.partitions.get(query.tenant);
    if (!contexts) return Promise.resolve([]);
    const norm = vectorNorm(query.vector);
    if (Number.isNaN(norm)) return Promise.reject(invalidVector(query.vector));
    const unitQuery = space.query;
    const scale = norm > 0 ? 1 / norm : 0;
    for (let d = 0; d < unitQuery.length; d++) unitQuery[d] = query.vector[d] * scale;

    const matches: SimilarEntry[] = [];
    for (const partition of contexts.values()) {
      for (let position = 0; position < partition.size; position++) {
        if (partition.expiresAt(position) <= query.now) continue;
        const { entry } = partition.memberAt(position);
        if (query.namespace !== undefined && entry.namespace !== query.namespace) continue;
        const score = partition.scoreAt(unitQuery, position);
        if (score < query.minScore) continue;
        matches.push({
          id: entry.id,
          rootId: entry.aliasOf ?? entry.id,
          namespace: entry.namespace,
          score: Math.min(1, Math.max(-1, score)),
        });
      }
    }
    matches.sort((a, b) => b.score - a.score);
    if (matches.length > query.limit) matches.length = query.limit;
    return Promise.resolve(matches);
  }

  purge(selector: PurgeSelector): Promise<number> {
    const { tenant, namespace } = selector;
    const matched = new Set<Slot>();
    if (selector.tags && selector.tags.length > 0) {
      for (const tag of selector.tags) this.tags.collect(tenant, tag, matched);
    } else if (namespace !== undefined) {
      this.namespaces.collect(tenant, namespace, matched);
    } else {
      return Promise.resolve(0);
    }
    const now = this.now();
    let purged = 0;
    for (const slot of matched) {
      if (namespace !== undefined && slot.entry.namespace !== namespace) continue;
      // Expired entries are removed too, but not counted: they were already gone.
      if (!isExpired(slot.entry, now)) purged++;
      this.remove(slot);
    }
    return Promise.resolve(purged);
  }

  count(): Promise<number> {
    const now = this.now();
    let live = 0;
    for (const space of this.spaces.values()) {
      for (const contexts of space.partitions.values()) {
        for (const partition of contexts.values()) live += partition.countLive(now);
      }
    }
    return Promise.resolve(live);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  /** Removes every expired entry now (searches only clean the partitions they scan); returns how many. */
  sweepExpired(now: number = this.now()): number {
    const before = this.stored;
    for (const space of this.spaces.values()) {
      for (const contexts of space.partitions.values()) {
        for (const partition of contexts.values()) this.removeExpired(partition, now);
      }
    }
    return before - this.stored;
  }

  /** (tenant, key) groups in the tag and namespace indexes; zero when the index is empty. For tests. */
  get indexGroups(): number {
    return this.tags.groups + this.namespaces.groups;
  }

  private removeExpired(partition: VectorPartition<Slot>, now: number): void {
    // Backwards: a swap-remove moves the last row, already visited, into the hole.
    for (let position = partition.size - 1; position >= 0; position--) {
      if (partition.expiresAt(position) <= now) this.remove(partition.memberAt(position));
    }
  }

  private evictOldest(): void {
    const oldest = this.writeOrder?.values().next().value;
    if (!oldest) return;
    this.remove(oldest);
    this.evicted++;
  }

  private remove(slot: Slot): void {
    const { entry, space, partition } = slot;
    partition.removeAt(slot.position);
    space.dropIfEmpty(entry.tenant, entry.contextHash);
    if (space.byId.get(entry.id) === slot) space.byId.delete(entry.id);
    this.namespaces.remove(entry.tenant, entry.namespace, slot);
    for (const tag of entry.tags) this.tags.remove(entry.tenant, tag, slot);
    this.writeOrder?.delete(slot);
    this.stored--;
  }
}

/** Euclidean norm, or NaN for an empty vector or non-finite components (which would poison every score). */
function vectorNorm(vector: ArrayLike<number>): number {
  if (vector.length === 0) return Number.NaN;
  let sum = 0;
  for (let d = 0; d < vector.length; d++) sum += vector[d] * vector[d];
  return Number.isFinite(sum) ? Math.sqrt(sum) : Number.NaN;
}

function invalidVector(vector: ArrayLike<number>): RangeError {
  return new RangeError(
    vector.length === 0 ? 'a vector needs at least one dimension' : 'vector components must be finite numbers',
  );
}

function dimensionError(model: string, expected: number, got: number): RangeError {
  return new RangeError(`model ${model} has ${expected}-dimensional vectors; got ${got}`);
}
