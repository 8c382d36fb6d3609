import { type CacheEntry, entryFromStoreRequest, fingerprintRequest } from '@strata/cache-core';
import { type CacheLookupReply, type CacheLookupRequest, type CacheStoreRequest } from '@strata/contracts';
import { L1Cache } from '@strata/service-gateway';
import { RedisConnection } from '@strata/store-redis';
import { RedisServerProcess, eventually } from '@strata/testing';
import { redisUseCases } from '../test/support/redis-use-cases';

function question(product: number): {
  lookup: CacheLookupRequest;
  store: (ticket: number | undefined, answer: string) => CacheStoreRequest;
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
    store: (ticket, answer) => ({
      tenant: 'acme',
      namespace: 'default',
      namespaceVersion: 1,
      model: 'm',
      ...fp,
      response: { answer },
      tags: [`product:${product}`],
      ttlSeconds: 600,
      storedAt: Date.now(),
      ...(ticket === undefined ? {} : { ticket }),
    }),
  };
}

/**
 * Issue #10, item 3: Redis restarts empty while L3 (Qdrant here played by the in-memory index) and every
 * gateway's L1 keep their entries. Before epochs the generation sequence restarted at 1 below the
 * entries' generations, and an invalidated answer was served again from L3, then from L1.
 */
describe('purge generations across a Redis restart without persistence', () => {
  let redis: RedisServerProcess;
  let connection: RedisConnection;

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    connection = RedisConnection.open({ url: redis.url, maxReconnectDelayMs: 50 });
    await connection.whenReady(5_000);
  });

  afterAll(async () => {
    await connection.close();
    await redis.stop();
  });

  it('never serves an invalidated answer again: not from L3, not from L1, not from a store in flight', async () => {
    const { lookup, store, purge, generations } = redisUseCases(connection);
    const l1 = new L1Cache({ maxEntries: 1_000, maxTtlSeconds: 300 });
    /** What a gateway does: L1 first, then the cache service; hits fill L1. */
    const ask = async (request: CacheLookupRequest): Promise<{ tier: string; entry: CacheEntry } | undefined> => {
      const local = l1.get(request.exactKey, request.tenant);
      if (local) return { tier: 'l1', entry: local };
      let reply: CacheLookupReply;
      try {
        reply = await lookup.execute(request);
      } catch {
        return undefined;
      }
      if (!reply.hit) return undefined;
      l1.set(reply.entry);
      return { tier: reply.tier, entry: reply.entry };
    };
    const storeAfterMiss = async (q: ReturnType<typeof question>, answer: string): Promise<void> => {
      const miss = await lookup.execute(q.lookup);
      expect(miss.hit).toBe(false);
      await store.execute(q.store(miss.hit ? undefined : miss.ticket, answer));
    };

    // Earlier purges took the sequence past where a restarted one would begin.
    for (let i = 0; i < 5; i++) await purge.execute({ tenant: 'acme', tags: [`product:${100 + i}`] });
    const price = question(1);
    const other = question(2);
    await storeAfterMiss(price, '10 EUR');
    await storeAfterMiss(other, '20 EUR');
    expect(await ask(price.lookup)).toMatchObject({ tier: 'l2' });
    expect(await ask(price.lookup)).toMatchObject({ tier: 'l1' });
    const ticketBeforeRestart = await generations.current('acme');

    // Traffic keeps flowing while Redis restarts empty.
    const served: { tier: string; answer: unknown; after: boolean }[] = [];
    let invalidated = false;
    let stop = false;
    const traffic = (async () => {
      while (!stop) {
        const hit = await ask(price.lookup);
        if (hit) served.push({ tier: hit.tier, answer: hit.entry.response, after: invalidated });
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await redis.restartEmpty();
    await eventually(async () => {
      await expect(connection.ping()).resolves.toBeUndefined();
    }, 10_000);

    // The price changes: invalidate, and broadcast the eviction to L1 as the invalidation service does.
    const { generation } = await purge.execute({ tenant: 'acme', tags: ['product:1'] }, 'invalidate');
    expect(generation).toBeGreaterThan(ticketBeforeRestart);
    l1.purge({ tenant: 'acme', tags: ['product:1'] }, generation);
    invalidated = true;
    for (let i = 0; i < 20; i++) await ask(price.lookup);
    stop = true;
    await traffic;

    expect(served.filter((s) => s.after)).toEqual([]);
    expect(await ask(price.lookup)).toBeUndefined();
    // L1 refuses the old answer when a late reply brings it back.
    expect(l1.set(entryFromStoreRequest(price.store(ticketBeforeRestart, '10 EUR')))).toBe(false);
    // A store computed before the restart is refused: its ticket is from the lost epoch.
    await expect(store.execute(price.store(ticketBeforeRestart, '10 EUR'))).resolves.toMatchObject({
      stale: true,
      l2: false,
      l3: false,
    });
    // Every entry of the old epoch is stale (the safe direction): not invalidated, but not vouched for either.
    expect(await lookup.execute(other.lookup)).toMatchObject({ hit: false });
    // A fresh answer computed now is stored and served.
    await storeAfterMiss(price, '12 EUR');
    expect(await ask(price.lookup)).toMatchObject({ entry: { response: { answer: '12 EUR' } } });
  });
});
