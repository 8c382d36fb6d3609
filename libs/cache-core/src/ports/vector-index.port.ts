import { type CacheEntry } from '../domain/cache-entry';
import { type PurgeSelector } from './exact-store.port';

export const VECTOR_INDEX = Symbol('VectorIndex');

export interface VectorSearch {
  /** Query embedding (any norm; adapters compare by cosine). */
  readonly vector: readonly number[] | Float32Array;
  readonly tenant: string;
  readonly contextHash: string;
  /** Embedding model: adapters keep one collection per model. */
  readonly model: string;
  readonly limit: number;
  /** Cosine score below which candidates are not returned. */
  readonly minScore: number;
  /** Epoch ms: entries with `expiresAt <= now` are never returned. */
  readonly now: number;
}

/**
 * A tenant-wide similarity query (the semantic purge): every context of the tenant, optionally one namespace; never
 * another tenant.
 */
export interface SimilarSearch {
  /** Query embedding (any norm; adapters compare by cosine). */
  readonly vector: readonly number[] | Float32Array;
  /** Embedding model: only that model's collection is searched. */
  readonly model: string;
  readonly tenant: string;
  /** Only entries of this namespace; every namespace of the tenant when omitted. */
  readonly namespace?: string;
  /** Cosine score below which entries are not returned. */
  readonly minScore: number;
  /** Most entries returned (the best-scoring ones). */
  readonly limit: number;
  /** Epoch ms: entries with `expiresAt <= now` are never returned. */
  readonly now: number;
}

/** An entry found by `findSimilar`: what a purge needs, not the whole entry (a purge may select thousands). */
export interface SimilarEntry {
  readonly id: string;
  /** The entry it was copied from, or its own id: `entryTag(rootId)` selects it and every copy of the same answer. */
  readonly rootId: string;
  readonly namespace: string;
  /** Cosine similarity in [-1, 1]. */
  readonly score: number;
}

export interface VectorCandidate {
  readonly entry: CacheEntry;
  /** Cosine similarity in [-1, 1]. */
  readonly score: number;
}

/**
 * L3: semantic candidates. Adapters: in-process index (embedded default), Qdrant.
 * Search only ever returns entries of the given tenant AND context hash that have not expired,
 * best score first. Every adapter passes `vector-index.contract.ts`.
 */
export interface VectorIndex {
  /** Idempotent by `entry.id`. `model`/`vector.length` select the collection (created on first use). */
  upsert(model: string, entry: CacheEntry, vector: readonly number[] | Float32Array): Promise<void>;
  search(query: VectorSearch): Promise<VectorCandidate[]>;
  /**
   * Whether `model`'s collection may hold a live entry of this tenant and context. False only when a search there
   * would certainly find nothing (expired entries not yet removed may answer true), so a lookup need not embed its
   * query: in a multi-turn chat every later turn has a context of its own, which the semantic tier rarely holds.
   */
  holds(model: string, tenant: string, contextHash: string): Promise<boolean>;
  /**
   * Live entries of `query.tenant` (every context; only `query.namespace` when given) in `query.model`'s collection
   * scoring at least `minScore`, at most `limit` of them, best score first. Exhaustive up to `limit` (exact, not
   * approximate, search): it selects what a semantic purge removes.
   */
  findSimilar(query: SimilarSearch): Promise<SimilarEntry[]>;
  /** Removes matching entries in every model's collection; returns how many. */
  purge(selector: PurgeSelector): Promise<number>;
  count(): Promise<number>;
  ping(): Promise<void>;
}
