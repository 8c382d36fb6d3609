export { RedisConnection, RedisTimeoutError, RedisUnavailableError } from './connection/redis-connection';
export type { RedisConnectionOptions } from './connection/redis-connection';
export { RedisExactStore } from './exact/redis-exact-store';
export type { RedisExactStoreOptions } from './exact/redis-exact-store';
export { RedisEmbeddingCache } from './embedding-cache/redis-embedding-cache';
export type { RedisEmbeddingCacheOptions } from './embedding-cache/redis-embedding-cache';
export { RedisPurgeGenerations } from './generations/redis-purge-generations';
export type { RedisPurgeGenerationsOptions } from './generations/redis-purge-generations';
