import { randomUUID } from 'node:crypto';
import { eventually } from '@strata/testing';
import { type RawReply, isStandardError, rawRequest, startGateway } from './support/gateway-harness';

const OPS = 'listing-ops-key';

/**
 * `GET /v1/cache/entries` and `/v1/cache/namespaces` on a running gateway, in memory and on Redis: a tenant lists
 * only its own entries, pages reach every entry once, popularity orders them, admins name the tenant, bad input is a
 * 400 with the standard error body.
 */
describe.each([
  ['in memory', {}],
  ['on Redis', { REDIS_URL: 'redis://127.0.0.1:6379' }],
])('entry listing (%s)', (_name, env: Record<string, string>) => {
  // Tenants of their own: the Redis variant shares the server with other suites.
  const run = randomUUID().slice(0, 8);
  const [acme, globex] = [`acme-${run}`, `globex-${run}`];
  const [ACME, GLOBEX] = [`${acme}-key`, `${globex}-key`];
  let strata: Awaited<ReturnType<typeof startGateway>>;
  const call = (path: string, key: string, init: { method?: string; body?: string } = {}) =>
    rawRequest(strata.url, { path, headers: { 'x-strata-key': key }, ...init });
  const json = (reply: RawReply) => reply.json as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions inspect arbitrary JSON
  const request = (question: string) => ({
    model: 'gpt-test',
    messages: [{ role: 'user', content: question }],
    params: { temperature: 0 },
  });
  const store = async (key: string, question: string, namespace = 'support') => {
    const reply = await call('/v1/cache/entries', key, {
      method: 'POST',
      body: JSON.stringify({ ...request(question), namespace, response: { answer: question }, tags: ['doc:faq'] }),
    });
    expect(reply.status).toBe(201);
    return json(reply)['id'] as string;
  };

  beforeAll(async () => {
    strata = await startGateway({
      ...env,
      STRATA_API_KEYS: `${acme}=${ACME},${globex}=${GLOBEX}`,
      STRATA_ADMIN_KEYS: OPS,
      STRATA_POPULARITY_FLUSH_MS: '50',
    });
    // Redis connects in the background: stores answer 503 until it is there.
    await eventually(async () =>
      expect(
        rawRequest(strata.url, { path: '/health/ready' }).then((r) => (r.json as { status?: string }).status),
      ).resolves.toBe('ok'),
    );
  });

  afterAll(async () => {
    // What this run stored (the Redis variant shares the server): gone with its namespaces.
    for (const [key, namespace] of [
      [ACME, 'sales'],
      [ACME, 'support'],
      [GLOBEX, 'support'],
      [GLOBEX, 'ranked'],
    ] as const)
      await call('/v1/cache/purge', key, { method: 'POST', body: JSON.stringify({ namespace }) });
    await strata?.stop();
  });

  it("pages through every entry of the caller's tenant once, and none of another tenant's", async () => {
    const mine = [];
    for (let i = 0; i < 7; i++) mine.push(await store(ACME, `acme question ${i}`, i % 2 ? 'support' : 'sales'));
    await store(GLOBEX, 'globex question');

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const reply: RawReply = await call(
        `/v1/cache/entries?limit=3${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
        ACME,
      );
      expect(reply.status).toBe(200);
      seen.push(...(json(reply)['entries'] as Array<{ id: string }>).map((e) => e.id));
      cursor = json(reply)['nextCursor'] as string | null;
    } while (cursor !== null);

    expect([...seen].sort()).toEqual([...mine].sort());
    const namespaces = json(await call('/v1/cache/namespaces', ACME))['namespaces'] as Array<{
      name: string;
      entries: number;
    }>;
    expect(namespaces.filter((n) => n.entries > 0).map((n) => [n.name, n.entries])).toEqual([
      ['sales', 4],
      ['support', 3],
    ]);
  });

  it('sorts by the hits the gateway counted', async () => {
    const popular = await store(GLOBEX, 'the popular one', 'ranked');
    await store(GLOBEX, 'the quiet one', 'ranked');
    for (let i = 0; i < 3; i++)
      await call('/v1/cache/lookup', GLOBEX, {
        method: 'POST',
        body: JSON.stringify({ ...request('the popular one'), namespace: 'ranked' }),
      });

    await eventually(async () => {
      const entries = json(await call('/v1/cache/entries?namespace=ranked&sort=hits', GLOBEX))['entries'] as Array<{
        id: string;
        hits: number;
      }>;
      expect(entries.map((e) => [e.id, e.hits])).toEqual([
        [popular, 3],
        [expect.any(String), 0],
      ]);
    });
  });

  it('lets an admin key name the tenant, and no tenant key read another tenant', async () => {
    const asAdmin = await call(`/v1/cache/entries?tenant=${globex}&q=popular`, OPS);
    expect(asAdmin.status).toBe(200);
    expect((json(asAdmin)['entries'] as Array<{ query: string }>).map((e) => e.query)).toEqual(['the popular one']);

    for (const [path, key, status] of [
      [`/v1/cache/entries?tenant=${globex}`, ACME, 401],
      [`/v1/cache/namespaces?tenant=${globex}`, ACME, 401],
      [`/v1/invalidations/recent?tenant=${globex}`, ACME, 401],
      ['/v1/cache/entries', OPS, 400],
      ['/v1/cache/entries?limit=0', ACME, 400],
      ['/v1/cache/entries?limit=500', ACME, 400],
      ['/v1/cache/entries?sort=best', ACME, 400],
      ['/v1/cache/entries?cursor=not-ours', ACME, 400],
      ['/v1/cache/entries?unknown=1', ACME, 400],
    ] as const) {
      const reply = await call(path, key);
      expect([path, reply.status]).toEqual([path, status]);
      expect(isStandardError(reply.json)).toBe(true);
    }
    const importAsAdmin = await call('/v1/cache/import', OPS, { method: 'POST', body: '{"entries":[]}' });
    expect(importAsAdmin.status).toBe(401);
  });
});
