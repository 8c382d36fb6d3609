import { type ExactRead, type ExactReads } from '@strata/cache-core';
import { type RedisPurgeGenerations } from '../generations/redis-purge-generations';
import { type RedisExactStore } from './redis-exact-store';

/**
 * `ExactReads` in Redis: an L2 entry and its fields' purge generation in one script, one round trip
 * (`RedisExactStore.getWithGenerations`), where `get` then `latest` would be two in sequence. Every key the script
 * touches carries the tenant's hash tag, so it runs on one node of a Redis Cluster as on one server. The script reads
 * the generations where the store keeps its entries: both adapters must use the same Redis, which is checked here.
 */
export class RedisExactReads implements ExactReads {
  constructor(
    private readonly store: RedisExactStore,
    private readonly generations: RedisPurgeGenerations,
  ) {
    if (!store.redis.sameServerAs(generations.redis))
      throw new Error('RedisExactReads needs the exact store and the purge generations on the same Redis');
  }

  getWithGenerations(tenant: string, id: string): Promise<ExactRead | undefined> {
    return this.store.getWithGenerations(tenant, id, this.generations);
  }
}
