import { randomUUID } from 'node:crypto';
import { RedisConnection } from '@strata/store-redis';
import { RedisServerProcess, eventually } from '@strata/testing';
import { type RawReply, rawRequest, startGateway } from './support/gateway-harness';

/**
 * Evictions per tier on the operator's `/v1/cache/stats` page, for the in-memory L2 (bounded by
 * STRATA_MEMORY_MAX_BYTES) and L3 (bounded by STRATA_MEMORY_MAX_ENTRIES) of the embedded default: each eviction for
 * space is counted in `strata_cache_evictions_total{tier}` and shown beside L1's.
 */
describe('evictions of the in-memory L2 and L3 (stats)', () => {
  let strata: Awaited<ReturnType<typeof startGateway>>;
  const tenant = `acme-${randomUUID().slice(0, 8)}`;
  const KEY = `key-${randomUUID()}`;
  const ADMIN = `admin-${randomUUID()}`;

  const call = (method: string, path: string, body?: unknown, key = KEY) =>
    rawRequest(strata.url, {
      method,
      path,
      headers: { 'x-strata-key': key },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const json = (reply: RawReply) => reply.json as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const evictions = async (): Promise<Record<string, Record<string, number>>> =>
    json(await call('GET', '/v1/cache/stats', undefined, ADMIN))['evictions'] as Record<string, Record<string, number>>;

  beforeAll(async () => {
    strata = await startGateway({
      STRATA_API_KEYS: `${tenant}=${KEY}`,
      STRATA_ADMIN_KEYS: ADMIN,
      // Each answer below is ≈ 8.5 kB by the L2's estimate: L2 holds two of them, L3 four.
      STRATA_MEMORY_MAX_BYTES: '20000',
      STRATA_MEMORY_MAX_ENTRIES: '4',
    });
  }, 60_000);

  afterAll(async () => {
    await strata?.stop();
  });

  it('counts the entries the in-memory L2 and L3 evict for space, and shows them beside L1', async () => {
    // The counters are process-wide (other gateways of this worker may have counted before): compare with the start.
    const before = await evictions();
    expect(before['l2']).toEqual({ total: expect.any(Number), perMinute: expect.any(Number) });
    expect(before['l3']).toEqual({ total: expect.any(Number), perMinute: expect.any(Number) });

    for (const n of [1, 2, 3, 4, 5, 6]) {
      const stored = await call('POST', '/v1/cache/entries', {
        namespace: 'evictions',
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `Question number ${n} about the weather in town ${n}` }],
        params: { temperature: 0 },
        response: { answer: `${n}`.repeat(4_000) },
      });
      expect(stored.status).toBe(201);
    }

    await eventually(async () => {
      const after = await evictions();
      expect(after['l2']['total'] - before['l2']['total']).toBe(4);
      expect(after['l3']['total'] - before['l3']['total']).toBe(2);
      expect(after['l1']).toEqual({ total: expect.any(Number), perMinute: expect.any(Number) });
    });
    const metrics = await call('GET', '/metrics', undefined, ADMIN);
    expect(metrics.text).toMatch(/strata_cache_evictions_total\{tier="l2"\} \d/);
    expect(metrics.text).toMatch(/strata_cache_evictions_total\{tier="l3"\} \d/);
  });
});

/**
 * A Redis L2 evicts by its own `maxmemory` policy: the operator's page shows the server's `evicted_keys` (every key of
 * that server, not only Strata's) as the cache service read it. A private Redis, so its memory bound touches no one.
 */
describe('evictions of a Redis L2 (stats)', () => {
  let redis: RedisServerProcess;
  let connection: RedisConnection;
  let strata: Awaited<ReturnType<typeof startGateway>>;
  const ADMIN = `admin-${randomUUID()}`;

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    connection = RedisConnection.open({ url: redis.url });
    await connection.whenReady(10_000);
    strata = await startGateway({
      REDIS_URL: redis.url,
      STRATA_API_KEYS: `acme=key-${randomUUID()}`,
      STRATA_ADMIN_KEYS: ADMIN,
    });
  }, 60_000);

  afterAll(async () => {
    await strata?.stop();
    await connection?.close();
    await redis?.stop();
  });

  it('shows the Redis server’s own eviction count for L2, marked server-wide', async () => {
    const { client } = connection;
    await client.configSet('maxmemory-policy', 'allkeys-lru');
    await client.configSet('maxmemory', '4mb');
    for (let i = 0; i < 4_000; i++) await client.set(`filler:${i}`, 'x'.repeat(2_000));
    const evictedKeys = async () => Number(/^evicted_keys:(\d+)/m.exec((await connection.info('stats'))[0] ?? '')?.[1]);
    const before = await evictedKeys();
    expect(before).toBeGreaterThan(0);

    const reply = await rawRequest(strata.url, { path: '/v1/cache/stats', headers: { 'x-strata-key': ADMIN } });
    expect(reply.status).toBe(200);
    const { evictions } = reply.json as { evictions: Record<string, { total: number; scope?: string }> };
    // Redis may evict more while the page is read (it is at its bound): the page's count lies between two reads.
    const after = await evictedKeys();
    expect(evictions['l2']).toEqual({ total: expect.any(Number), scope: 'redis-server' });
    expect(evictions['l2'].total).toBeGreaterThanOrEqual(before);
    expect(evictions['l2'].total).toBeLessThanOrEqual(after);
    // The in-memory L3 beside it still counts its own.
    expect(evictions['l3']).toEqual({ total: expect.any(Number), perMinute: expect.any(Number) });
  });
});
