import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import { LRUCache } from 'lru-cache';
import {
  type CacheEntry,
  type PurgeSelector,
  type SimilarEntry,
  type SimilarSearch,
  type VectorCandidate,
  type VectorIndex,
  type VectorSearch,
} from '@strata/cache-core';
import { collectionName, isCollectionOf } from './collection-name';
import { QdrantIndexError, httpStatusOf } from './qdrant-index-error';
import {
  PAYLOAD,
  PAYLOAD_INDEXES,
  entryFromPayload,
  liveCondition,
  onlyLive,
  purgeFilter,
  rootIdFromTags,
  searchFilter,
  similarFilter,
  toPayload,
} from './qdrant-payload';

export interface QdrantVectorIndexOptions {
  /** e.g. `http://localhost:6333` (the scheme decides http/https). */
  readonly url: string;
  /** Secret: sent as the `api-key` header, never logged. */
  readonly apiKey?: string;
  /** Collections are named `${collectionPrefix}_${model}`. Default `strata`. */
  readonly collectionPrefix?: string;
  /** HNSW graph parameters of new collections. Defaults: m 16, efConstruct 100. */
  readonly hnsw?: { readonly m?: number; readonly efConstruct?: number };
  /** `scalar`: int8 scalar quantization of new collections' vectors (kept in RAM, originals rescore). Default `none`. */
  readonly quantization?: 'none' | 'scalar';
  /** Per-request timeout in milliseconds; a slower or unreachable Qdrant rejects instead of stalling L3. Default 5000. */
  readonly timeout?: number;
  /**
   * How often (per collection, at most) an upsert also deletes points that have expired, in milliseconds; searches
   * never return them, this only reclaims their storage. 0 disables. Default 10 minutes.
   */
  readonly expirySweepIntervalMs?: number;
  /** Epoch milliseconds for `count`, `purge` and the expiry sweep; injectable for tests. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Points per `findSimilar` request: bounds each response (only a few small payload fields travel per point).
   * Default 1000.
   */
  readonly similarPageSize?: number;
}

const DEFAULTS = {
  collectionPrefix: 'strata',
  m: 16,
  efConstruct: 100,
  timeout: 5_000,
  expirySweepIntervalMs: 10 * 60_000,
  similarPageSize: 1_000,
};

/** How long a context seen holding an entry is taken to hold one without asking (`holds`), and how many are kept. */
const HELD_TTL_MS = 10_000;
const HELD_MAX = 50_000;

function heldKey(collection: string, tenant: string, contextHash: string): string {
  return `${collection}\n${tenant}\n${contextHash}`;
}

/**
 * L3 in Qdrant, through `@qdrant/js-client-rest`.
 *
 * - One collection per embedding model, created on first upsert with the dimension of that first vector, cosine
 *   distance, the configured HNSW and quantization, and payload indexes (tenant as Qdrant's tenant index, context
 *   hash, namespace, tags, expiry). Two writers creating it at once is fine: losing the race is success.
 * - A point per entry, its id the entry id (a UUID), so upserts are idempotent; its payload holds the filterable
 *   fields and the full entry, so a hit can backfill L2 without another read.
 * - Searches filter on tenant AND context hash AND `expires_at > now`, with `score_threshold` and `limit`; a
 *   collection that does not exist yet simply has no candidates.
 * - `holds` counts the live points of a tenant's context (the same filter); a context seen holding one is not asked
 *   about again for 10 s.
 * - `findSimilar` (the semantic purge) filters on tenant [AND namespace] AND `expires_at > now` with `score_threshold`,
 *   as an exact search (`params.exact`: HNSW recall below 1 would let a purge miss entries), paged by
 *   `similarPageSize` (1000) through `offset` up to the caller's `limit` (the use case caps it at 10 000). It reads only
 *   the tenant, namespace, tags and expiry of each point, never the stored entry. A point deleted between two pages
 *   can shift a later one into the page already read; that one is missed (repeat the purge).
 * - Purges go through every collection of the prefix: count the live matches, then delete by the same filter.
 *   (A write landing between the two calls can make the count off by one; Qdrant has no delete-and-count.)
 * - Every failure rejects with a `QdrantIndexError`; unreachable hosts reject at once and slow ones after
 *   `timeout`, so the cache can skip L3 and carry on.
 */
export class QdrantVectorIndex implements VectorIndex {
  private readonly client: QdrantClient;
  private readonly prefix: string;
  private readonly collectionConfig: Pick<Schemas['CreateCollection'], 'hnsw_config' | 'quantization_config'>;
  private readonly sweepInterval: number;
  private readonly now: () => number;
  private readonly similarPageSize: number;
  /** Collections known to exist with their payload indexes, by name (a failed attempt is forgotten). */
  private readonly ready = new Map<string, Promise<void>>();
  private readonly lastSweep = new Map<string, number>();
  /**
   * Contexts seen holding an entry lately (`holds` answered true, or this process wrote one): asked again only after
   * `HELD_TTL_MS`. Only "holds" is remembered: an entry another replica writes is seen by the next `holds`.
   */
  private readonly held = new LRUCache<string, true>({ max: HELD_MAX, ttl: HELD_TTL_MS });

  constructor(options: QdrantVectorIndexOptions) {
    this.client = new QdrantClient({
      url: options.url,
      apiKey: options.apiKey,
      timeout: options.timeout ?? DEFAULTS.timeout,
      // The check is a background request that only logs; readiness comes from `ping`.
      checkCompatibility: false,
    });
    this.prefix = options.collectionPrefix ?? DEFAULTS.collectionPrefix;
    this.collectionConfig = {
      hnsw_config: {
        m: options.hnsw?.m ?? DEFAULTS.m,
        ef_construct: options.hnsw?.efConstruct ?? DEFAULTS.efConstruct,
      },
      quantization_config:
        options.quantization === 'scalar' ? { scalar: { type: 'int8', quantile: 0.99, always_ram: true } } : undefined,
    };
    this.sweepInterval = options.expirySweepIntervalMs ?? DEFAULTS.expirySweepIntervalMs;
    this.now = options.now ?? Date.now;
    this.similarPageSize = options.similarPageSize ?? DEFAULTS.similarPageSize;
    if (!(this.similarPageSize >= 1))
      throw new RangeError(`similarPageSize must be at least 1, got ${this.similarPageSize}`);
  }

  /** The collection holding `model`'s vectors. */
  collectionFor(model: string): string {
    return collectionName(this.prefix, model);
  }

  async upsert(model: string, entry: CacheEntry, vector: readonly number[] | Float32Array): Promise<void> {
    const point = { id: entry.id, vector: toJsonVector(vector), payload: toPayload(entry) };
    const name = this.collectionFor(model);
    if (entry.expiresAt > this.now()) this.held.set(heldKey(name, entry.tenant, entry.contextHash), true);
    await this.ensureCollection(name, vector.length);
    try {
      await this.client.upsert(name, { wait: true, points: [point] });
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw new QdrantIndexError('upsert', error);
      // The collection was deleted behind our back: create it again, once.
      this.ready.delete(name);
      await this.ensureCollection(name, vector.length);
      await this.call('upsert', () => this.client.upsert(name, { wait: true, points: [point] }));
    }
    this.sweepIfDue(name);
  }

  async search(query: VectorSearch): Promise<VectorCandidate[]> {
    if (!(query.limit >= 1)) return [];
    const vector = toJsonVector(query.vector);
    let points: Schemas['ScoredPoint'][];
    try {
      ({ points } = await this.client.query(this.collectionFor(query.model), {
        query: vector,
        filter: searchFilter(query),
        score_threshold: query.minScore,
        limit: query.limit,
        with_payload: [PAYLOAD.entry],
      }));
    } catch (error) {
      if (httpStatusOf(error) === 404) return [];
      throw new QdrantIndexError('search', error);
    }
    const candidates: VectorCandidate[] = [];
    for (const point of points) {
      const entry = entryFromPayload(point.payload);
      // Defence in depth: the filter already guarantees this; a foreign or corrupt point must still never leak.
      if (!entry || entry.tenant !== query.tenant || entry.contextHash !== query.contextHash) continue;
      if (entry.expiresAt <= query.now) continue;
      candidates.push({ entry, score: point.score });
    }
    return candidates;
  }

  /** A filtered count (tenant, context, live), unless the context was seen holding an entry lately. */
  async holds(model: string, tenant: string, contextHash: string): Promise<boolean> {
    const name = this.collectionFor(model);
    const key = heldKey(name, tenant, contextHash);
    if (this.held.has(key)) return true;
    let count: number;
    try {
      ({ count } = await this.client.count(name, {
        filter: searchFilter({ tenant, contextHash, now: this.now() }),
        exact: true,
      }));
    } catch (error) {
      if (httpStatusOf(error) === 404) return false;
      throw new QdrantIndexError('holds', error);
    }
    if (count > 0) this.held.set(key, true);
    return count > 0;
  }

  async findSimilar(query: SimilarSearch): Promise<SimilarEntry[]> {
    if (!(query.limit >= 1)) return [];
    const vector = toJsonVector(query.vector);
    const filter = similarFilter(query);
    const name = this.collectionFor(query.model);
    const found = new Map<string, SimilarEntry>();
    for (let offset = 0; found.size < query.limit; offset += this.similarPageSize) {
      const limit = Math.min(this.similarPageSize, query.limit - offset);
      if (limit <= 0) break;
      let points: Schemas['ScoredPoint'][];
      try {
        ({ points } = await this.client.query(name, {
          query: vector,
          filter,
          params: { exact: true },
          score_threshold: query.minScore,
          limit,
          offset,
          with_payload: [PAYLOAD.tenant, PAYLOAD.namespace, PAYLOAD.tags, PAYLOAD.expiresAt],
        }));
      } catch (error) {
        if (httpStatusOf(error) === 404) return [];
        throw new QdrantIndexError('find similar', error);
      }
      for (const point of points) {
        const payload = point.payload ?? {};
        const namespace = payload[PAYLOAD.namespace];
        const expiresAt = payload[PAYLOAD.expiresAt];
        // Defence in depth, as in `search`: the filter guarantees these; a foreign or corrupt point never leaks.
        if (payload[PAYLOAD.tenant] !== query.tenant || typeof namespace !== 'string') continue;
        if (query.namespace !== undefined && namespace !== query.namespace) continue;
        if (typeof expiresAt !== 'number' || expiresAt <= query.now) continue;
        const id = String(point.id);
        if (found.has(id)) continue;
        found.set(id, { id, rootId: rootIdFromTags(id, payload[PAYLOAD.tags]), namespace, score: point.score });
      }
      if (points.length < limit) break;
    }
    return [...found.values()];
  }

  async purge(selector: PurgeSelector): Promise<number> {
    const filter = purgeFilter(selector);
    if (!filter) return 0;
    const now = this.now();
    let purged = 0;
    for (const name of await this.collections()) {
      try {
        // Expired matches are deleted too, but not counted: they were already gone.
        const { count } = await this.client.count(name, { filter: onlyLive(filter, now), exact: true });
        await this.client.delete(name, { wait: true, filter });
        purged += count;
      } catch (error) {
        if (httpStatusOf(error) !== 404) throw new QdrantIndexError('purge', error);
      }
    }
    return purged;
  }

  async count(): Promise<number> {
    const filter = { must: [liveCondition(this.now())] };
    let live = 0;
    for (const name of await this.collections()) {
      try {
        live += (await this.client.count(name, { filter, exact: true })).count;
      } catch (error) {
        if (httpStatusOf(error) !== 404) throw new QdrantIndexError('count', error);
      }
    }
    return live;
  }

  async ping(): Promise<void> {
    await this.call('ping', () => this.client.versionInfo());
  }

  /** Deletes every expired point of every collection now; returns how many. Upserts also do this periodically. */
  async sweepExpired(now: number = this.now()): Promise<number> {
    let swept = 0;
    for (const name of await this.collections()) swept += await this.sweepCollection(name, now);
    return swept;
  }

  private async sweepCollection(name: string, now: number): Promise<number> {
    const filter = { must: [{ key: PAYLOAD.expiresAt, range: { lte: now } }] };
    try {
      const { count } = await this.client.count(name, { filter, exact: true });
      if (count > 0) await this.client.delete(name, { wait: true, filter });
      return count;
    } catch (error) {
      if (httpStatusOf(error) === 404) return 0;
      throw new QdrantIndexError('expiry sweep', error);
    }
  }

  /** Starts a background sweep of `name` when its interval has passed (first one an interval after first use). */
  private sweepIfDue(name: string): void {
    if (this.sweepInterval <= 0) return;
    const now = this.now();
    const last = this.lastSweep.get(name);
    if (last === undefined) {
      this.lastSweep.set(name, now);
      return;
    }
    if (now - last < this.sweepInterval) return;
    this.lastSweep.set(name, now);
    // Best effort: a failed sweep is retried at the next interval, and expired points are never returned anyway.
    void this.sweepCollection(name, now).catch(() => undefined);
  }

  private async collections(): Promise<string[]> {
    const { collections } = await this.call('list collections', () => this.client.getCollections());
    return collections.map(({ name }) => name).filter((name) => isCollectionOf(this.prefix, name));
  }

  private ensureCollection(name: string, dimension: number): Promise<void> {
    let ready = this.ready.get(name);
    if (!ready) {
      ready = this.createCollection(name, dimension);
      this.ready.set(name, ready);
      void ready.catch(() => this.ready.delete(name));
    }
    return ready;
  }

  private async createCollection(name: string, dimension: number): Promise<void> {
    const { exists } = await this.call('collection check', () => this.client.collectionExists(name));
    if (!exists) {
      try {
        await this.client.createCollection(name, {
          vectors: { size: dimension, distance: 'Cosine' },
          ...this.collectionConfig,
        });
      } catch (error) {
        // 409: another writer created it between our check and our create, which is what we wanted.
        if (httpStatusOf(error) !== 409) {
          const { exists: createdMeanwhile } = await this.call('collection check', () =>
            this.client.collectionExists(name),
          );
          if (!createdMeanwhile) throw new QdrantIndexError(`create collection ${name}`, error);
        }
      }
    }
    // Idempotent in Qdrant: creating an index that exists with the same schema changes nothing.
    for (const { field, schema } of PAYLOAD_INDEXES) {
      await this.call(`create payload index ${field}`, () =>
        this.client.createPayloadIndex(name, { field_name: field, field_schema: schema, wait: true }),
      );
    }
  }

  private async call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new QdrantIndexError(operation, error);
    }
  }
}

/** A plain array of finite numbers (what the REST API takes); rejects NaN and infinities before they go out. */
function toJsonVector(vector: readonly number[] | Float32Array): number[] {
  if (vector.length === 0) throw new RangeError('a vector needs at least one dimension');
  for (let d = 0; d < vector.length; d++) {
    if (!Number.isFinite(vector[d])) throw new RangeError('vector components must be finite numbers');
  }
  return Array.from(vector);
}
