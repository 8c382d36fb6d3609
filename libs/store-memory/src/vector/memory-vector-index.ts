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
import { performance } from 'node:perf_hooks';
import { type ContextPartition, type PartitionMember } from './context-partition';
import { DEFAULT_HNSW_OPTIONS, HnswGraph, type HnswOptions } from './hnsw-graph';
import { TenantGroups } from './tenant-groups';
import { TopK } from './top-k';
import { VectorPartition } from './vector-partition';

export interface MemoryVectorIndexOptions {
  /**
   * Most entries held across all models; past it the oldest-written entry is evicted (counted in `evictions`).
   * Unbounded when omitted.
   */
  readonly maxEntries?: number;
  /** Epoch milliseconds for `count`, `purge`, `upsert` and `sweepExpired`; injectable for tests. Defaults to `Date.now`. */
  readonly now?: () => number;
  /**
   * A context with this many entries is searched through an HNSW graph instead of an exact scan; it goes back to the
   * scan when it shrinks to a quarter of it. `Infinity` keeps every context exact. Default: `ANN_MIN_ENTRIES`, or
   * `ANN_MIN_ENTRIES_WIDE` for vectors of more than `WIDE_DIMENSIONS` (scans cost more per entry there).
   */
  readonly annMinEntries?: number;
  /** HNSW tuning of the graphs; defaults to `DEFAULT_HNSW_OPTIONS`. */
  readonly hnsw?: Partial<HnswOptions>;
  /** Called once per entry evicted for space (what `evictions` counts): the runtime binds it to the metrics. */
  readonly onEvict?: () => void;
}

/**
 * Context size from which a search walks an HNSW graph rather than scanning: below it the exact scan costs at most
 * ~1.4× a graph search and needs no linking (measured in bench/README.md, "L3 lookup", `--cutover`).
 */
export const ANN_MIN_ENTRIES = 4_096;

/** Vectors longer than this are "wide" (the sentence encoder's 512, hosted models' 768–3,072). */
const WIDE_DIMENSIONS = 128;
/**
 * The cut-over for wide vectors: at 512-d a 1,000-entry context's scan costs 0.6 ms against a graph search's 0.16 ms
 * plus 0.21 ms of linking per entry, so a miss-heavy context is cheaper as a graph from here (bench/README.md, "At the
 * sentence encoder's 512 dimensions", `--cutover --dim 512`).
 */
export const ANN_MIN_ENTRIES_WIDE = 1_024;

/** The default cut-over for vectors of `dimension`. */
export function defaultAnnMinEntries(dimension: number): number {
  return dimension > WIDE_DIMENSIONS ? ANN_MIN_ENTRIES_WIDE : ANN_MIN_ENTRIES;
}

/** Most milliseconds of one background slice that links pending entries into the graphs. */
const INDEXING_SLICE_MS = 4;

/** One stored entry and where its vector lives. Allocated per upsert, never per search. */
class Slot implements PartitionMember {
  position = -1;

  constructor(
    readonly entry: CacheEntry,
    readonly space: ModelSpace,
    /** Replaced when its context moves between an exact scan and a graph. */
    public partition: ContextPartition<Slot>,
  ) {}
}

/** Everything stored for one embedding model: what a Qdrant collection is to the Qdrant adapter. */
class ModelSpace {
  readonly byId = new Map<string, Slot>();
  /** tenant → context hash → partition. */
  readonly partitions = new Map<string, Map<string, ContextPartition<Slot>>>();
  /** Scratch for the normalised query vector (searches run synchronously, so one per model suffices). */
  readonly query: Float32Array;

  constructor(readonly dimension: number) {
    this.query = new Float32Array(dimension);
  }

  partition(tenant: string, contextHash: string): ContextPartition<Slot> | undefined {
    return this.partitions.get(tenant)?.get(contextHash);
  }

  partitionFor(tenant: string, contextHash: string): ContextPartition<Slot> {
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

  /** Puts `partition` in place of the context's current one (a move between scan and graph). */
  replace(tenant: string, contextHash: string, partition: ContextPartition<Slot>): void {
    this.partitions.get(tenant)?.set(contextHash, partition);
  }

  dropIfEmpty(tenant: string, contextHash: string): void {
    const contexts = this.partitions.get(tenant);
    if (contexts?.get(contextHash)?.size !== 0) return;
    contexts.delete(contextHash);
    if (contexts.size === 0) this.partitions.delete(tenant);
  }
}

/**
 * L3 of the embedded default: a cosine index in process memory.
 *
 * Entries are partitioned by (embedding model, tenant, context hash), so a search looks only at the vectors of its
 * own context and can never see another tenant's or another context's entry. A context below `annMinEntries` keeps
 * its unit vectors packed in a Float32Array and is scanned exactly with an unrolled dot product; a larger one is an
 * HNSW graph of its own (`HnswGraph`, approximate, walked on int8 codes in WebAssembly SIMD and re-ranked on the
 * float32 vectors: at 1M entries in one context a lookup costs 1.2 instead of 113 ms of CPU, recall@5 0.966), so the
 * lookup cost grows far slower than the context. New entries of a graph are searchable at once (scanned exactly until linked) and are linked in the
 * background, in slices of a few milliseconds. Either way scores are exact cosines, and `minScore` and expiry are never crossed.
 * Expired entries are skipped by a search and removed after it (or by `sweepExpired`). Tag and namespace indexes
 * make purges proportional to what they remove; `findSimilar` stays an exact scan of the tenant's contexts.
 * Measurements: bench/README.md, "L3 lookup"; the choice of an own HNSW: docs/adr/0006-in-process-ann-index.md.
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
  /** Scratch for the positions of expired entries a search came across. */
  private readonly expired: number[] = [];
  /** The configured cut-over; unset: by the vectors' length (`cutover`). */
  private readonly annMinEntries: number | undefined;
  private hnsw: HnswOptions;
  private rerankBounded = true;
  private reorderingGraphs = true;
  /** Graphs with entries waiting to be linked, and whether a background slice is scheduled. */
  private readonly indexing = new Set<HnswGraph<Slot>>();
  private indexingScheduled = false;
  private stored = 0;
  private evicted = 0;
  private readonly onEvict: (() => void) | undefined;

  constructor(options: MemoryVectorIndexOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
    if (!(this.maxEntries >= 1)) throw new RangeError(`maxEntries must be at least 1, got ${this.maxEntries}`);
    this.writeOrder = Number.isFinite(this.maxEntries) ? new Set() : undefined;
    this.annMinEntries = options.annMinEntries;
    if (this.annMinEntries !== undefined && !(this.annMinEntries >= 2))
      throw new RangeError(`annMinEntries must be at least 2, got ${this.annMinEntries}`);
    this.hnsw = { ...DEFAULT_HNSW_OPTIONS, ...options.hnsw };
    this.onEvict = options.onEvict;
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

    let partition = space.partitionFor(entry.tenant, entry.contextHash);
    if (isScan(partition) && partition.size + 1 >= this.cutover(space.dimension)) {
      partition = this.toGraph(space, entry, partition);
    }
    const slot = new Slot(entry, space, partition);
    try {
      partition.append(vector, norm > 0 ? 1 / norm : 0, entry.expiresAt, slot);
    } catch (error) {
      // A graph whose vector memory cannot grow (4 GiB): this write fails (an older version of it is already gone).
      return Promise.reject(error instanceof Error ? error : new RangeError(String(error)));
    }
    if (isGraph(partition)) this.scheduleLinking(partition);
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
    const expired = this.expired;
    top.reset(Math.min(query.limit, partition.size));
    expired.length = 0;
    partition.search(unitQuery, query.now, query.minScore, top, expired);
    const candidates = new Array<VectorCandidate>(top.count);
    for (let rank = 0; rank < top.count; rank++) {
      const score = Math.min(1, Math.max(-1, top.scoreAt(rank)));
      candidates[rank] = { entry: (partition.memberAt(top.positionAt(rank)) as Slot).entry, score };
    }
    if (expired.length > 0) {
      // Removal goes by the index's own clock too, so a caller's future `now` cannot delete live entries. Highest
      // position first: an exact partition moves its last row into a removed one's place.
      const now = Math.min(query.now, this.now());
      const slots = expired.map((position) => partition.memberAt(position) as Slot);
      for (let i = slots.length - 1; i >= 0; i--) {
        const slot = slots[i];
        if (slot.entry.expiresAt <= now && space.byId.get(slot.entry.id) === slot) this.remove(slot);
      }
    }
    return Promise.resolve(candidates);
  }

  /** A map lookup: a context's partition exists while it has members (the last one removed drops it). */
  holds(model: string, tenant: string, contextHash: string): Promise<boolean> {
    const partition = this.spaces.get(model)?.partition(tenant, contextHash);
    return Promise.resolve(partition !== undefined && partition.size > 0);
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
      for (let position = 0; position < partition.end; position++) {
        const slot = partition.memberAt(position);
        if (slot === undefined || partition.expiresAt(position) <= query.now) continue;
        const { entry } = slot;
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
    for (const partition of this.partitions()) live += partition.countLive(now);
    return Promise.resolve(live);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  /** Removes every expired entry now (searches only clean the partitions they scan); returns how many. */
  sweepExpired(now: number = this.now()): number {
    const before = this.stored;
    for (const partition of this.partitions()) this.removeExpired(partition, now);
    return before - this.stored;
  }

  /** (tenant, key) groups in the tag and namespace indexes; zero when the index is empty. For tests. */
  get indexGroups(): number {
    return this.tags.groups + this.namespaces.groups;
  }

  /** Width of the graphs' searches (HNSW's ef): wider finds more of the exact top at a higher cost. */
  get efSearch(): number {
    return this.hnsw.efSearch;
  }

  set efSearch(ef: number) {
    if (!(ef >= 1)) throw new RangeError(`efSearch must be at least 1, got ${ef}`);
    this.hnsw = { ...this.hnsw, efSearch: ef };
    for (const partition of this.partitions()) if (isGraph(partition)) partition.efSearch = ef;
  }

  /**
   * Whether a graph lookup with a score floor re-ranks only the nodes whose int8 score could reach it (the default,
   * `HnswGraph.search`); false re-ranks every node its walk ends with, as before: for benchmarks, the results are the same.
   */
  get boundedRerank(): boolean {
    return this.rerankBounded;
  }

  set boundedRerank(bounded: boolean) {
    this.rerankBounded = bounded;
    for (const partition of this.partitions()) if (isGraph(partition)) partition.boundedRerank = bounded;
  }

  /**
   * Whether a graph that has linked all its pending entries renumbers its nodes for memory locality once it has grown
   * or churned by half since the last time (`HnswGraph.reorderIfDue`; the default). False leaves node ids in write
   * order, as before: for benchmarks, the answers are the same.
   */
  get graphReordering(): boolean {
    return this.reorderingGraphs;
  }

  set graphReordering(reordering: boolean) {
    this.reorderingGraphs = reordering;
  }

  /** Renumbers every graph now (`HnswGraph.reorder`), whatever its size: for benchmarks and tests. */
  reorderGraphs(): void {
    for (const partition of this.partitions()) if (isGraph(partition)) partition.reorder();
  }

  /** Contexts searched through a graph rather than a scan. */
  get graphContexts(): number {
    let graphs = 0;
    for (const partition of this.partitions()) if (isGraph(partition)) graphs++;
    return graphs;
  }

  /** Bytes of the graphs' vector memories (WebAssembly, so in neither the JS heap nor `arrayBuffers`). */
  get graphVectorBytes(): number {
    let bytes = 0;
    for (const partition of this.partitions()) if (isGraph(partition)) bytes += partition.vectorBytes;
    return bytes;
  }

  /** Entries stored in graphs but not linked yet (searched exactly meanwhile). */
  get pendingLinks(): number {
    let pending = 0;
    for (const graph of this.indexing) pending += graph.pendingCount;
    return pending;
  }

  /** Links every pending entry now, instead of in background slices: for benchmarks and tests. */
  linkPending(): void {
    for (const graph of this.indexing) {
      while (graph.linkNext());
      if (this.reorderingGraphs) graph.reorderIfDue();
    }
    this.indexing.clear();
  }

  /** Every context's partition, of every model and tenant. */
  private *partitions(): Generator<ContextPartition<Slot>> {
    for (const space of this.spaces.values()) {
      for (const contexts of space.partitions.values()) yield* contexts.values();
    }
  }

  private removeExpired(partition: ContextPartition<Slot>, now: number): void {
    // Collected first: removing may move the context between a graph and a scan, which renumbers positions.
    const expired: Slot[] = [];
    for (let position = 0; position < partition.end; position++) {
      const slot = partition.memberAt(position);
      if (slot !== undefined && partition.expiresAt(position) <= now) expired.push(slot);
    }
    for (const slot of expired) this.remove(slot);
  }

  /** Context size from which vectors of `dimension` are searched through a graph. */
  private cutover(dimension: number): number {
    return this.annMinEntries ?? defaultAnnMinEntries(dimension);
  }

  /** Moves a context that reached `annMinEntries` into a graph; its entries are linked in the background. */
  private toGraph(space: ModelSpace, entry: CacheEntry, exact: VectorPartition<Slot>): HnswGraph<Slot> {
    const graph = new HnswGraph<Slot>(space.dimension, this.hnsw);
    graph.boundedRerank = this.rerankBounded;
    for (let position = 0; position < exact.size; position++) {
      const slot = exact.memberAt(position);
      graph.append(exact.vectorAt(position), 1, exact.expiresAt(position), slot);
      slot.partition = graph;
    }
    space.replace(entry.tenant, entry.contextHash, graph);
    return graph;
  }

  /** Moves a context that shrank to a quarter of `annMinEntries` back to an exact scan. */
  private toScan(space: ModelSpace, entry: CacheEntry, graph: HnswGraph<Slot>): void {
    const exact = new VectorPartition<Slot>(space.dimension, graph.size);
    for (let position = 0; position < graph.end; position++) {
      const slot = graph.memberAt(position);
      if (slot === undefined) continue;
      exact.append(graph.vectorAt(position), 1, graph.expiresAt(position), slot);
      slot.partition = exact;
    }
    this.indexing.delete(graph);
    space.replace(entry.tenant, entry.contextHash, exact);
  }

  /**
   * Links a graph's new entries off the request path: slices of at most `INDEXING_SLICE_MS` between other work. When
   * writes outpace the slices, each write links one entry itself, so a graph never holds more than `annMinEntries`
   * unlinked entries (the scan cost below the cut-over).
   */
  private scheduleLinking(graph: HnswGraph<Slot>): void {
    if (graph.pendingCount > this.cutover(graph.dimension)) graph.linkNext();
    this.indexing.add(graph);
    if (this.indexingScheduled) return;
    this.indexingScheduled = true;
    setImmediate(() => this.linkSlice()).unref();
  }

  private linkSlice(): void {
    this.indexingScheduled = false;
    const deadline = performance.now() + INDEXING_SLICE_MS;
    for (const graph of this.indexing) {
      while (graph.pendingCount > 0 && performance.now() < deadline) graph.linkNext();
      if (graph.pendingCount === 0) {
        this.indexing.delete(graph);
        // At sizes ×1.5 from 8,192 nodes: one pause of O(nodes) for walks that read neighbouring memory
        // (bench/README.md, "L3 lookup", session 13, measures both).
        if (this.reorderingGraphs) graph.reorderIfDue();
      }
      if (performance.now() >= deadline) break;
    }
    if (this.indexing.size > 0 && !this.indexingScheduled) {
      this.indexingScheduled = true;
      setImmediate(() => this.linkSlice()).unref();
    }
  }

  private evictOldest(): void {
    const oldest = this.writeOrder?.values().next().value;
    if (!oldest) return;
    this.remove(oldest);
    this.evicted++;
    this.onEvict?.();
  }

  private remove(slot: Slot): void {
    const { entry, space, partition } = slot;
    partition.removeAt(slot.position);
    if (isGraph(partition) && partition.size <= this.cutover(space.dimension) / 4) this.toScan(space, entry, partition);
    space.dropIfEmpty(entry.tenant, entry.contextHash);
    if (space.byId.get(entry.id) === slot) space.byId.delete(entry.id);
    this.namespaces.remove(entry.tenant, entry.namespace, slot);
    for (const tag of entry.tags) this.tags.remove(entry.tenant, tag, slot);
    this.writeOrder?.delete(slot);
    this.stored--;
  }
}

function isGraph(partition: ContextPartition<Slot>): partition is HnswGraph<Slot> {
  return partition instanceof HnswGraph;
}

function isScan(partition: ContextPartition<Slot>): partition is VectorPartition<Slot> {
  return partition instanceof VectorPartition;
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
