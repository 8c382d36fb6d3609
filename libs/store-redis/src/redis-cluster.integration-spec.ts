import { type CacheEntry, entryTag } from '@strata/cache-core';
import {
  LocalRedisCluster,
  MAX_FIELDS_PER_TENANT,
  RETENTION_MS,
  describeEmbeddingCacheContract,
  describeExactStoreContract,
  describeHitVerdictsContract,
  describeProcessedEventsContract,
  describePurgeGenerationsContract,
} from '@strata/testing';
import { randomUUID } from 'node:crypto';
import { deleteKeys, uniquePrefix } from '../test/redis-test-support';
import { RedisConnection } from './connection/redis-connection';
import { RedisEmbeddingCache } from './embedding-cache/redis-embedding-cache';
import { RedisProcessedEvents } from './events/redis-processed-events';
import { RedisExactStore } from './exact/redis-exact-store';
import { RedisPurgeGenerations } from './generations/redis-purge-generations';
import { RedisHitVerdicts } from './verdicts/redis-hit-verdicts';

/**
 * Every Redis adapter against a real Redis Cluster (3 masters + 3 replicas on 7000–7005, started by
 * `.ci/run` or here when absent): the same contract suites as on one server.
 */
let connection: RedisConnection;
const prefixes: string[] = [];

beforeAll(async () => {
  const cluster = await LocalRedisCluster.ensure();
  connection = RedisConnection.open({ clusterNodes: cluster.nodes });
  await connection.whenReady(10_000);
}, 60_000);

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(connection, prefix);
  await connection.close();
});

function fixturePrefix(suite: string): string {
  const prefix = uniquePrefix(`cluster-${suite}`);
  prefixes.push(prefix);
  return prefix;
}

describeExactStoreContract(`${RedisExactStore.name} on Redis Cluster`, () => {
  const prefix = fixturePrefix('exact');
  let now = Date.now();
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const store = new RedisExactStore(connection, { keyPrefix: prefix, now: clock.now, purgeBatchSize: 8 });
  return Promise.resolve({ store, clock, teardown: () => deleteKeys(connection, prefix) });
});

describePurgeGenerationsContract(`${RedisPurgeGenerations.name} on Redis Cluster`, () => {
  const prefix = fixturePrefix('generations');
  let now = Date.now();
  return Promise.resolve({
    generations: new RedisPurgeGenerations(connection, {
      keyPrefix: prefix,
      retainMs: RETENTION_MS,
      maxFieldsPerTenant: MAX_FIELDS_PER_TENANT,
      now: () => now,
    }),
    clock: { advance: (ms: number) => void (now += ms) },
    loseState: () => deleteKeys(connection, prefix),
    teardown: () => deleteKeys(connection, prefix),
  });
});

describeProcessedEventsContract(`${RedisProcessedEvents.name} on Redis Cluster`, () => {
  const prefix = fixturePrefix('events');
  return Promise.resolve({
    events: new RedisProcessedEvents(connection, { keyPrefix: prefix }),
    teardown: () => deleteKeys(connection, prefix),
  });
});

describeEmbeddingCacheContract(`${RedisEmbeddingCache.name} on Redis Cluster`, () => {
  const prefix = fixturePrefix('embedding');
  return Promise.resolve({
    cache: new RedisEmbeddingCache(connection, { keyPrefix: prefix }),
    teardown: () => deleteKeys(connection, prefix),
  });
});

describe(`${RedisExactStore.name} on Redis Cluster`, () => {
  it('spreads tenants over the masters while each tenant purges in one slot', async () => {
    const prefix = fixturePrefix('spread');
    const store = new RedisExactStore(connection, { keyPrefix: prefix });
    const now = Date.now();
    const tenants = Array.from({ length: 24 }, (_, i) => `tenant-${i}`);
    const entry = (tenant: string, tag: string): CacheEntry => {
      const id = randomUUID();
      return {
        id,
        tenant,
        namespace: 'ns',
        namespaceVersion: 1,
        model: 'm',
        exactKey: id,
        contextHash: 'c',
        query: 'q',
        response: tag,
        tags: [tag, entryTag(id)],
        createdAt: now,
        expiresAt: now + 60_000,
      };
    };
    for (const tenant of tenants) for (const tag of ['a', 'b', 'a']) await store.put(entry(tenant, tag));
    await expect(store.count()).resolves.toBe(72);

    const holders = new Set<string>();
    for await (const key of connection.scan(`${prefix}e:*`)) holders.add(key.slice(key.indexOf('{')));
    expect(holders.size).toBe(72);
    // The cluster really is sharded: the tenants' keys are on more than one master.
    expect(await mastersHolding(prefix)).toBeGreaterThan(1);

    for (const tenant of tenants) await expect(store.purge({ tenant, tags: ['a'] })).resolves.toBe(2);
    await expect(store.count()).resolves.toBe(24);
  });
});

async function mastersHolding(prefix: string): Promise<number> {
  const seen = new Map<string, number>();
  // `scan` walks master by master; count keys per distinct slot owner through CLUSTER KEYSLOT ranges.
  const ports = new Set<number>();
  const cluster = await LocalRedisCluster.ensure();
  for await (const key of connection.scan(`${prefix}e:*`)) {
    const port = await cluster.masterOf(key);
    ports.add(port);
    seen.set(key, port);
  }
  return ports.size;
}

describeHitVerdictsContract(`${RedisHitVerdicts.name} on Redis Cluster`, () => {
  const prefix = fixturePrefix('verdicts');
  return Promise.resolve({
    verdicts: new RedisHitVerdicts(connection, { keyPrefix: prefix }),
    teardown: () => deleteKeys(connection, prefix),
  });
});
