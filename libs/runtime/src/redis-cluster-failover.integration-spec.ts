import { fingerprintRequest } from '@strata/cache-core';
import { type CacheLookupRequest, type CacheStoreRequest, ErrorCode, StrataError } from '@strata/contracts';
import { RedisConnection } from '@strata/store-redis';
import { LocalRedisCluster, eventually } from '@strata/testing';
import { redisUseCases } from '../test/support/redis-use-cases';

const QUESTIONS = 8;
const PURGED = [0, 1, 2];

function question(product: number): {
  lookup: CacheLookupRequest;
  store: (ticket: number | undefined) => CacheStoreRequest;
} {
  const fp = fingerprintRequest({
    tenant: 'acme',
    namespace: 'default',
    namespaceVersion: 1,
    model: 'm',
    messages: [{ role: 'user', content: `price of product ${product}?` }],
  });
  return {
    lookup: { tenant: 'acme', namespace: 'default', model: 'm', ...fp, mode: 'auto' },
    store: (ticket) => ({
      tenant: 'acme',
      namespace: 'default',
      namespaceVersion: 1,
      model: 'm',
      ...fp,
      response: { product },
      tags: [`product:${product}`],
      ttlSeconds: 600,
      storedAt: Date.now(),
      ...(ticket === undefined ? {} : { ticket }),
    }),
  };
}

/**
 * Issue #14: L2 and purge generations on a Redis Cluster whose master for the tenant's slot is killed
 * during traffic. A private cluster (ports 7100–7105), stopped afterwards.
 */
describe('L2 and purge generations on Redis Cluster when a master dies', () => {
  let cluster: LocalRedisCluster;
  let connection: RedisConnection;

  beforeAll(async () => {
    cluster = await LocalRedisCluster.ensure(7100);
    connection = RedisConnection.open({ clusterNodes: cluster.nodes, commandTimeoutMs: 500, maxReconnectDelayMs: 200 });
    await connection.whenReady(10_000);
  }, 60_000);

  afterAll(async () => {
    await connection.close();
    await cluster.stop();
  });

  it('fails over with only cache_unavailable errors for a bounded window, and never serves a purged entry again', async () => {
    const { lookup, store, purge } = redisUseCases(connection);
    const questions = Array.from({ length: QUESTIONS }, (_, i) => question(i));

    // Seeding waits out a cluster that is still settling after its start (a node answering slowly on a loaded
    // machine is a cache_unavailable here); the failover below is what the test measures.
    for (const q of questions) {
      await eventually(async () => {
        const miss = await lookup.execute(q.lookup);
        await store.execute(q.store(miss.hit ? undefined : miss.ticket));
      });
    }
    for (const product of PURGED)
      await eventually(() => purge.execute({ tenant: 'acme', tags: [`product:${product}`] }));

    const servedPurged: number[] = [];
    const unexpected: unknown[] = [];
    const storeErrors: string[] = [];
    /** One round of traffic: every question looked up, every live one stored again; true when nothing failed. */
    const round = async (): Promise<boolean> => {
      let clean = true;
      for (const [product, q] of questions.entries()) {
        try {
          const reply = await lookup.execute(q.lookup);
          if (reply.hit && PURGED.includes(product)) servedPurged.push(product);
          if (reply.hit || PURGED.includes(product)) continue;
          await store.execute(q.store(reply.ticket));
        } catch (error) {
          clean = false;
          if (error instanceof StrataError && error.code === ErrorCode.CacheUnavailable)
            storeErrors.push(error.message);
          else unexpected.push(error);
        }
      }
      return clean;
    };

    for (let i = 0; i < 3; i++) expect(await round()).toBe(true);
    const master = await cluster.masterOf('{acme}');
    cluster.kill(master);

    // Traffic goes on through the failover; it must come back clean by itself (replica promoted,
    // topology rediscovered) and stay clean.
    const deadline = Date.now() + 30_000;
    let cleanInARow = 0;
    while (cleanInARow < 3) {
      if (Date.now() > deadline)
        throw new Error(`no recovery within 30 s; errors: ${storeErrors.slice(-3).join(' | ')}`);
      cleanInARow = (await round()) ? cleanInARow + 1 : 0;
      // Requests arrive as I/O: let timers (reconnects, rediscovery) run between rounds, as a server would.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await cluster.masterOf('{acme}')).not.toBe(master);

    // A purge after the failover is applied on the new master.
    await purge.execute({ tenant: 'acme', tags: ['product:3'] });
    expect(await lookup.execute(question(3).lookup)).toMatchObject({ hit: false });

    expect(unexpected).toEqual([]);
    expect(servedPurged).toEqual([]);
    // Surviving entries were replicated: they are served again from L2 without being recomputed.
    expect(await lookup.execute(question(QUESTIONS - 1).lookup)).toMatchObject({ hit: true, tier: 'l2' });
  });
});
