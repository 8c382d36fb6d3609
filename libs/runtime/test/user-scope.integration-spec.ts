import { randomUUID } from 'node:crypto';
import { FakeUpstream } from '@strata/testing';
// Test-only helper without a path alias (tsconfig.base.json maps libs' public APIs only), hence the relative path.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { QdrantTestDouble, type RunningQdrantTestDouble } from '../../../tools/qdrant-test-double/src';
import { type RawReply, rawRequest, startGateway } from './support/gateway-harness';

/**
 * A user-scoped namespace (`scope: "user"`) over HTTP, with the in-memory tiers and with Redis (L2) and Qdrant (L3,
 * through the Qdrant test double): two users of one tenant never see each other's answers, exact or paraphrased, on
 * the cache API and on the proxy; a request without a user bypasses; "forget this user" (purge or data-change event)
 * leaves nothing of them in L1, L2 or L3, and nothing of the other user goes with it.
 */
describe.each([
  ['in memory', false],
  ['Redis + Qdrant', true],
] as const)('user-scoped namespace (%s)', (_name, external) => {
  let strata: Awaited<ReturnType<typeof startGateway>>;
  let upstream: FakeUpstream;
  let qdrant: RunningQdrantTestDouble | undefined;
  // Redis is shared: a fresh tenant per run keeps this run's entries apart from any other's.
  const tenant = `acme-${randomUUID().slice(0, 8)}`;
  const KEY = `key-${randomUUID()}`;
  const QUESTION = 'What is the balance of my savings account?';
  const PARAPHRASE = 'what is the balance of my savings account';

  const ask = (content: string, user?: string) => ({
    namespace: 'account',
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content }],
    params: { temperature: 0 },
    ...(user === undefined ? {} : { user }),
  });
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    rawRequest(strata.url, {
      method,
      path,
      headers: { 'x-strata-key': KEY, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const json = (reply: RawReply) => reply.json as Record<string, unknown>;
  const lookup = async (body: unknown) => json(await call('POST', '/v1/cache/lookup', body));
  const store = async (body: unknown): Promise<string> => {
    const reply = await call('POST', '/v1/cache/entries', body);
    expect(reply.status).toBe(201);
    return json(reply)['id'] as string;
  };
  const forget = async (user: string) => json(await call('POST', '/v1/cache/purge', { user }));

  beforeAll(async () => {
    upstream = await FakeUpstream.start({ apiKey: 'upstream-key' });
    if (external) qdrant = await QdrantTestDouble.start();
    strata = await startGateway(
      {
        STRATA_API_KEYS: `${tenant}=${KEY}`,
        STRATA_USER_ID_SALT: 'test-salt-of-this-deployment',
        UPSTREAM_URL: upstream.url,
        UPSTREAM_API_KEY: 'upstream-key',
        // Generous for a loaded machine: a slow answer must not read as a miss here.
        STRATA_CACHE_TIMEOUT_MS: '2000',
        ...(qdrant === undefined
          ? {}
          : { REDIS_URL: 'redis://127.0.0.1:6379', QDRANT_URL: qdrant.url, QDRANT_COLLECTION_PREFIX: '' }),
      },
      {
        cache: { namespaces: { account: { scope: 'user' } } },
        ...(qdrant === undefined
          ? {}
          : { qdrant: { collectionPrefix: `strata-user-scope-${randomUUID().slice(0, 8)}` } }),
      },
    );
    // Redis and Qdrant answer once their clients connected and the collection exists: wait for the first store.
    await eventuallyTrue(
      async () =>
        (await call('POST', '/v1/cache/entries', { ...ask('warm-up', 'nobody'), response: { ok: true } })).status ===
        201,
      30_000,
    );
  }, 60_000);

  afterAll(async () => {
    await strata?.stop();
    await Promise.all([upstream?.stop(), qdrant?.stop()]);
  });

  it('never shows one user the answer of another, exactly or by paraphrase; each user is served their own', async () => {
    const aliceId = await store({ ...ask(QUESTION, 'alice'), response: { balance: 'alice: 1 200 EUR' } });

    expect(await lookup(ask(QUESTION, 'bob'))).toMatchObject({ hit: false, status: 'miss' });
    expect(await lookup({ ...ask(PARAPHRASE, 'bob'), mode: 'semantic' })).toMatchObject({ hit: false });
    expect(await lookup(ask(QUESTION, 'alice'))).toMatchObject({ hit: true, id: aliceId });
    expect(await lookup({ ...ask(PARAPHRASE, 'alice'), mode: 'semantic' })).toMatchObject({
      hit: true,
      tier: 'l3',
      id: aliceId,
    });

    const bobId = await store({ ...ask(QUESTION, 'bob'), response: { balance: 'bob: 80 EUR' } });
    expect(bobId).not.toBe(aliceId);
    expect(await lookup(ask(QUESTION, 'bob'))).toMatchObject({ hit: true, response: { balance: 'bob: 80 EUR' } });
    expect(await lookup(ask(QUESTION, 'alice'))).toMatchObject({
      hit: true,
      response: { balance: 'alice: 1 200 EUR' },
    });
  });

  it('bypasses a request that names no user, and refuses to store it', async () => {
    expect(await lookup(ask(QUESTION))).toEqual({ hit: false, status: 'bypass', reason: 'no-user' });
    const stored = await call('POST', '/v1/cache/entries', { ...ask(QUESTION), response: { balance: '?' } });
    expect(stored.status).toBe(422);
    expect(json(stored)).toMatchObject({ error: { code: 'not_cacheable' } });
  });

  it('keeps proxied answers per user (OpenAI `user` or X-Strata-User) and passes user-less requests through', async () => {
    const chat = (user?: string) => ({
      model: 'gpt-4o-mini',
      temperature: 0,
      messages: [{ role: 'user', content: `Summarise my last order ${tenant}` }],
      ...(user === undefined ? {} : { user }),
    });
    const proxy = (body: unknown, headers: Record<string, string> = {}) =>
      call('POST', '/v1/chat/completions', body, { 'x-strata-namespace': 'account', ...headers });
    const calls = () => upstream.requests.filter((r) => r.path.endsWith('/chat/completions')).length;
    const before = calls();

    expect((await proxy(chat('carol'))).headers['x-strata-cache']).toBe('MISS');
    await expectEventuallyHit(() => proxy(chat('carol')));
    expect((await proxy(chat(), { 'x-strata-user': 'carol' })).headers['x-strata-cache']).toBe('HIT');
    expect((await proxy(chat('dave'))).headers['x-strata-cache']).toBe('MISS');
    const anonymous = await proxy(chat());
    expect(anonymous.headers['x-strata-cache']).toBe('BYPASS');
    expect(anonymous.headers['cache-status']).toBe('Strata; fwd=bypass; fwd-status=200; detail=no-user');
    expect(calls() - before).toBe(3);
  });

  it('forgets a user in every tier on a data-change event, and leaves the other users alone', async () => {
    const erinId = await store({ ...ask(QUESTION, 'erin'), response: { balance: 'erin: 5 EUR' } });
    await store({ ...ask('Which cards do I have?', 'erin'), response: { cards: ['visa'] } });
    const frankId = await store({ ...ask(QUESTION, 'frank'), response: { balance: 'frank: 9 EUR' } });
    // A paraphrase hit leaves a copy under its own key in L2 and L1: it must go too.
    expect(await lookup({ ...ask(PARAPHRASE, 'erin'), mode: 'semantic' })).toMatchObject({ hit: true, id: erinId });
    expect(await lookup(ask(PARAPHRASE, 'erin'))).toMatchObject({ hit: true, tier: 'l1' });

    const published = await call('POST', '/v1/invalidations', { user: 'erin', reason: 'erasure request' });
    expect(published.status).toBe(202);

    await eventuallyTrue(async () => (await lookup(ask(QUESTION, 'erin')))['hit'] === false);
    expect(await lookup(ask(PARAPHRASE, 'erin'))).toMatchObject({ hit: false });
    expect(await lookup({ ...ask(QUESTION, 'erin'), mode: 'semantic' })).toMatchObject({ hit: false });
    expect((await call('GET', `/v1/cache/entries/${erinId}`)).status).toBe(404);
    // Nothing of erin is left for a purge by user to find, in any tier; frank keeps his answer.
    expect(await forget('erin')).toEqual({ purged: { l1: 0, l2: 0, l3: 0 } });
    expect(await lookup(ask(QUESTION, 'frank'))).toMatchObject({ hit: true, id: frankId });
  });

  it('forgets a user on `purge {user}`, counting what went from each tier', async () => {
    await store({ ...ask(QUESTION, 'gina'), response: { balance: 'gina: 1 EUR' } });
    expect(await lookup(ask(QUESTION, 'gina'))).toMatchObject({ hit: true });

    const purged = await forget('gina');
    expect(purged).toEqual({ purged: { l1: 1, l2: 1, l3: 1 } });
    expect(await lookup(ask(QUESTION, 'gina'))).toMatchObject({ hit: false });
    expect(await forget('gina')).toEqual({ purged: { l1: 0, l2: 0, l3: 0 } });
  });

  it('refuses a purge by user combined with tags', async () => {
    const reply = await call('POST', '/v1/cache/purge', { user: 'gina', tags: ['x'] });
    expect(reply.status).toBe(400);
    expect(json(reply)).toMatchObject({ error: { code: 'invalid_request' } });
  });

  async function expectEventuallyHit(send: () => Promise<RawReply>): Promise<void> {
    // The proxy stores after the response through its queue: the hit comes once the store landed.
    await eventuallyTrue(async () => (await send()).headers['x-strata-cache'] === 'HIT');
  }
});

async function eventuallyTrue(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
