export const EMBEDDING_PROVIDER = Symbol('EmbeddingProvider');

/** Turns texts into vectors. Adapters: the local model (embedded default), OpenAI-compatible HTTP. */
export interface EmbeddingProvider {
  /** Model name as stored in L3 (one collection per model) and in the embedding-cache key. */
  readonly model: string;
  /** Vector length, when known before the first call (the local model knows it; HTTP learns it). */
  readonly dimensions: number | undefined;
  /** One vector per text, same order. Rejects with `EmbeddingError` on failure. */
  embed(texts: readonly string[]): Promise<number[][]>;
  /**
   * About how many ms `texts` more texts handed to `embed` now would take to come back, the work queued ahead of
   * them included (an estimate from recent calls). Providers that cannot tell leave it out: their callers always wait.
   */
  backlogMs?(texts: number): number;
}

export const EMBEDDING_CACHE = Symbol('EmbeddingCache');

/**
 * Remembers vectors by `(model, dimensions, sha256(text))` so one text is never embedded twice, across
 * restarts too when the adapter is persistent (Redis). Adapters: in-memory LRU, Redis.
 */
export interface EmbeddingCache {
  /**
   * True when the cache answers from this process's memory (it cannot hang): the service then skips its
   * cache timeout, a timer and a promise race per read and per write of every miss.
   */
  readonly inProcess?: boolean;
  getMany(keys: readonly string[]): Promise<(number[] | undefined)[]>;
  setMany(entries: readonly (readonly [key: string, vector: number[]])[]): Promise<void>;
}
