import { type EmbeddingCache, vectorToArray } from '@strata/embedding';
import { LRUCache } from 'lru-cache';

export interface MemoryEmbeddingCacheOptions {
  /** Most vectors held; past it the least recently used one is dropped. */
  readonly maxEntries: number;
}

/**
 * Vectors in process memory, least recently used dropped first. Stored as Float32 (half the memory of a
 * `number[]`, and the precision every embedding model produces), so reads return the Float32 rounding of
 * what was written — the same values the Redis adapter returns.
 */
export class MemoryEmbeddingCache implements EmbeddingCache {
  readonly inProcess = true;
  private readonly vectors: LRUCache<string, Float32Array>;

  constructor(options: MemoryEmbeddingCacheOptions) {
    this.vectors = new LRUCache<string, Float32Array>({ max: options.maxEntries });
  }

  getMany(keys: readonly string[]): Promise<(number[] | undefined)[]> {
    return Promise.resolve(
      keys.map((key) => {
        const vector = this.vectors.get(key);
        return vector && vectorToArray(vector);
      }),
    );
  }

  setMany(entries: readonly (readonly [key: string, vector: number[]])[]): Promise<void> {
    for (const [key, vector] of entries) this.vectors.set(key, Float32Array.from(vector));
    return Promise.resolve();
  }

  /** Vectors held. */
  get size(): number {
    return this.vectors.size;
  }
}
