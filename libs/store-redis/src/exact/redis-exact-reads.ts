import { type ExactReads, type TicketedExactRead } from '@strata/cache-core';
import { type RedisPurgeGenerations } from '../generations/redis-purge-generations';
import { type RedisExactStore } from './redis-exact-store';

/**
 * `ExactReads` in Redis: an L2 entry, its fields' purge generation and the tenant's ticket in one script, one round
 * trip (`RedisExactStore.getWithGenerations`), where `get` then `latest` would be two in sequence and `current` a
 * third beside them. Every key the script touches carries the tenant's hash tag, so it runs on one node of a Redis
 * Cluster as on one server. The script reads the generations where the store keeps its entries: both adapters must
 * use the same Redis, which is checked here. The ticket is the one `current()` would answer from the generations'
 * own connection: the same hash on the same server (on a cluster, the same slot's master, which both reach).
 */
export class RedisExactReads implements ExactReads {
  constructor(
    private readonly store: RedisExactStore,
    private readonly generations: RedisPurgeGenerations,
  ) {
    if (!store.redis.sameServerAs(generations.redis))
      throw new Error('RedisExactReads needs the exact store and the purge generations on the same Redis');
  }

  getWithGenerations(tenant: string, id: string): Promise<TicketedExactRead> {
    return this.store.getWithGenerations(tenant, id, this.generations);
  }
}
