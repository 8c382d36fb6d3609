import { randomUUID } from 'node:crypto';
import { FakeUpstream } from '@strata/testing';
import { type RawReply, rawRequest, startGateway } from './support/gateway-harness';

/**
 * Latency saved per tier on `/v1/cache/stats`, beside tokens and money: every hit is credited with the recent upstream
 * latency of its tenant, namespace and model (stores that say how long the upstream took, proxied misses); the
 * operator's page also shows each tier's size and evictions.
 */
describe('latency saved per tier (stats)', () => {
  let strata: Awaited<ReturnType<typeof startGateway>>;
  let upstream: FakeUpstream;
  const tenant = `acme-${randomUUID().slice(0, 8)}`;
  const KEY = `key-${randomUUID()}`;
  const ADMIN = `admin-${randomUUID()}`;

  const call = (method: string, path: string, body?: unknown, key = KEY, headers: Record<string, string> = {}) =>
    rawRequest(strata.url, {
      method,
      path,
      headers: { 'x-strata-key': key, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const json = (reply: RawReply) => reply.json as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const ask = (content: string, namespace = 'support', model = 'gpt-4o-mini') => ({
    namespace,
    model,
    messages: [{ role: 'user', content }],
    params: { temperature: 0 },
  });
  const stats = async (key = KEY) => json(await call('GET', '/v1/cache/stats', undefined, key));

  beforeAll(async () => {
    // The upstream takes a moment, so the time credited for it is not rounded away in the stats (ms precision).
    upstream = await FakeUpstream.start({ apiKey: 'upstream-key', latencyMs: 50 });
    strata = await startGateway({
      STRATA_API_KEYS: `${tenant}=${KEY}`,
      STRATA_ADMIN_KEYS: ADMIN,
      UPSTREAM_URL: upstream.url,
      UPSTREAM_API_KEY: 'upstream-key',
      STRATA_CACHE_TIMEOUT_MS: '2000',
      STRATA_L1_MAX_ENTRIES: '2',
    });
  }, 60_000);

  afterAll(async () => {
    await strata?.stop();
    await upstream?.stop();
  });

  it('credits each hit with the upstream time its namespace and model took, per tier', async () => {
    expect((await stats())['saved']['latencySeconds']).toEqual({ l1: 0, l2: 0, l3: 0, total: 0 });
    const stored = await call('POST', '/v1/cache/entries', {
      ...ask('Do you ship to Canada?'),
      response: { a: 'yes' },
      upstreamMs: 1500,
    });
    expect(stored.status).toBe(201);

    expect(json(await call('POST', '/v1/cache/lookup', ask('Do you ship to Canada?')))).toMatchObject({
      hit: true,
      tier: 'l1',
    });
    // Another model of the namespace has no upstream history: its hits are not credited with a guess.
    await call('POST', '/v1/cache/entries', {
      ...ask('Do you ship to Mexico?', 'support', 'gpt-4o'),
      response: { a: 'no' },
    });
    expect(
      json(await call('POST', '/v1/cache/lookup', ask('Do you ship to Mexico?', 'support', 'gpt-4o'))),
    ).toMatchObject({ hit: true });

    const saved = (await stats())['saved'];
    expect(saved['latencySeconds']).toEqual({ l1: 1.5, l2: 0, l3: 0, total: 1.5 });
    expect(saved).toHaveProperty('tokens');
    expect(saved).toHaveProperty('usd');
  });

  it('learns the upstream latency from proxied misses and credits the hits that follow', async () => {
    const chat = { model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: `Hello ${tenant}` }] };
    const proxy = () => call('POST', '/v1/chat/completions', chat, KEY, { 'x-strata-namespace': 'chat' });
    expect((await proxy()).headers['x-strata-cache']).toBe('MISS');
    const deadline = Date.now() + 10_000;
    while ((await proxy()).headers['x-strata-cache'] !== 'HIT') {
      if (Date.now() > deadline) throw new Error('the proxied answer was never stored');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await stats())['saved']['latencySeconds']['total']).toBeGreaterThan(1.5);
    const metrics = await call('GET', '/metrics', undefined, ADMIN);
    expect(metrics.text).toMatch(/strata_latency_saved_seconds_total\{tier="l1"\} \d/);
  });

  it('shows the operator each tier’s size and evictions beside the savings', async () => {
    for (const n of [1, 2, 3])
      await call('POST', '/v1/cache/entries', { ...ask(`Question ${n}`, 'evict'), response: { n } });
    const page = await stats(ADMIN);
    expect(page['entries']).toMatchObject({ l1: 2 });
    expect(page['entries']['l2']).toBeGreaterThanOrEqual(3);
    expect(page['evictions']['l1']['total']).toBeGreaterThanOrEqual(1);
    expect(page['saved']['latencySeconds']['total']).toBeGreaterThan(1.5);
    // A tenant's page leaves out process-wide numbers (they would tell of other tenants).
    expect(await stats()).not.toHaveProperty('evictions');
  });
});
