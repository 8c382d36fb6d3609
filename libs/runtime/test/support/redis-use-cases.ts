import {
  type Embedder,
  LookupUseCase,
  type MatchVerifier,
  NO_TELEMETRY,
  PurgeUseCase,
  StoreUseCase,
} from '@strata/cache-core';
import { MemoryVectorIndex } from '@strata/store-memory';
import { type RedisConnection, RedisExactReads, RedisExactStore, RedisPurgeGenerations } from '@strata/store-redis';

/** One vector for every text and an exact-text verifier: each question hits only itself, also in L3. */
const embedder: Embedder = { embed: () => Promise.resolve({ model: 'm', vector: [1, 0, 0] }) };
const verifier: MatchVerifier = {
  verify: (q, c) => ({ accepted: q === c, similarity: q === c ? 1 : 0, reason: q === c ? 'match' : 'below-threshold' }),
};

/** The cache service's use cases over one Redis connection, L3 played by the in-memory index. */
export interface RedisUseCases {
  readonly lookup: LookupUseCase;
  readonly store: StoreUseCase;
  readonly purge: PurgeUseCase;
  readonly generations: RedisPurgeGenerations;
}

/**
 * Lookup, store and purge over L2 and purge generations in Redis, bound as the cache service binds them (an L2 hit
 * reads the entry and its generations in one script), with an embedder and verifier under which each question hits
 * only itself.
 */
export function redisUseCases(connection: RedisConnection): RedisUseCases {
  const l2 = new RedisExactStore(connection);
  const generations = new RedisPurgeGenerations(connection);
  const l3 = new MemoryVectorIndex({});
  const lookup = new LookupUseCase(
    l2,
    l3,
    embedder,
    verifier,
    generations,
    NO_TELEMETRY,
    { candidates: 5, minCosine: 0, defaultThreshold: 0.5, now: Date.now },
    undefined,
    new RedisExactReads(l2, generations),
  );
  const store = new StoreUseCase(l2, l3, embedder, generations, NO_TELEMETRY);
  const purge = new PurgeUseCase(l2, l3, generations, NO_TELEMETRY);
  return { lookup, store, purge, generations };
}
