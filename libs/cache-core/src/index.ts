export { RESERVED_TAG_PREFIX, ageSeconds, entryTag, isExpired, ttlRemainingSeconds } from './domain/cache-entry';
export type { CacheEntry } from './domain/cache-entry';
export { EMBEDDER } from './ports/embedder.port';
export type { Embedder, Embedding } from './ports/embedder.port';
export { EXACT_STORE } from './ports/exact-store.port';
export type { ExactStore, PurgeSelector } from './ports/exact-store.port';
export { VECTOR_INDEX } from './ports/vector-index.port';
export type { VectorCandidate, VectorIndex, VectorSearch } from './ports/vector-index.port';
