export { MemoryExactStore } from './exact/memory-exact-store';
export type { MemoryExactStoreOptions } from './exact/memory-exact-store';
export { MemoryEmbeddingCache } from './embedding-cache/memory-embedding-cache';
export type { MemoryEmbeddingCacheOptions } from './embedding-cache/memory-embedding-cache';
export { MemoryVectorIndex } from './vector/memory-vector-index';
export type { MemoryVectorIndexOptions } from './vector/memory-vector-index';
export { MemoryPurgeGenerations } from './generations/memory-purge-generations';
export { MemoryProcessedEvents } from './events/memory-processed-events';
