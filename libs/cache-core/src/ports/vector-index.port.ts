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
  /** Removes matching entries in every model's collection; returns how many. */
  purge(selector: PurgeSelector): Promise<number>;
  count(): Promise<number>;
  ping(): Promise<void>;
}
