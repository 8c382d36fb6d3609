import { randomUUID } from 'node:crypto';
import { FakeUpstream, eventually } from '@strata/testing';
import { type RawReply, rawRequest, startGateway } from './support/gateway-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The gateway's front door (`HitReplays`): an L1 hit asked again with the same route, headers and body is answered
 * from the reply written for it, without parsing or keying it again. These are the promises that makes to a client:
 * the same answer, its own request id, every hit counted, nothing served after a purge, another tenant never
 * answered, the rate limit unchanged, and an age that keeps counting.
 */
describe('L1 hits replayed by the front door', () => {
  let strata: Awaited<ReturnType<typeof startGateway>>;
  let upstream: FakeUpstream;
  const ACME = `acme-${randomUUID()}`;
  const GLOBEX = `globex-${randomUUID()}`;
  const ADMIN = `admin-${randomUUID()}`;

  const call = (path: string, key: string, body?: unknown, headers: Record<string, string> = {}) =>
    rawRequest(strata.url, {
      method: body === undefined ? 'GET' : 'POST',
      path,
      headers: { authorization: `Bearer ${key}`, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const json = (reply: RawReply) => reply.json as Json;
  const ask = (content: string) => ({
    model: 'gpt-test',
    messages: [{ role: 'user', content }],
    params: { temperature: 0 },
  });
  const metric = async (name: string): Promise<number> => {
    const text = (await call('/metrics', ADMIN)).text;
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? 0 : Number(line.split(' ')[1]);
  };
  const stats = async (key: string) => json(await call('/v1/cache/stats', key));

  beforeAll(async () => {
    upstream = await FakeUpstream.start({ apiKey: 'upstream-key' });
    strata = await startGateway({
      UPSTREAM_API_KEY: 'upstream-key',
      STRATA_API_KEYS: `acme=${ACME},globex=${GLOBEX}`,
      STRATA_ADMIN_KEYS: ADMIN,
      UPSTREAM_URL: upstream.url,
      STRATA_CACHE_TIMEOUT_MS: '2000',
    });
  }, 60_000);

  afterAll(async () => {
    await strata?.stop();
    await upstream?.stop();
  });

  it('answers a repeated lookup with the same answer and its own request id, and counts every hit', async () => {
    const question = ask(`Do you ship to Canada? ${randomUUID()}`);
    expect((await call('/v1/cache/entries', ACME, { ...question, response: { a: 'yes' } })).status).toBe(201);
    const replaysBefore = await metric('strata_hit_replays_total');
    const hitsBefore = (await stats(ACME))['hits']['l1'] as number;

    const replies: RawReply[] = [];
    for (let i = 0; i < 6; i++)
      replies.push(await call('/v1/cache/lookup', ACME, question, { 'x-request-id': `r-${i}` }));

    for (const [i, reply] of replies.entries()) {
      expect(reply.status).toBe(200);
      expect(reply.headers['x-request-id']).toBe(`r-${i}`);
      expect(json(reply)).toMatchObject({ hit: true, status: 'hit', tier: 'l1', response: { a: 'yes' } });
    }
    // The same entry every time, rendered the same way (age and TTL aside, which move with the clock).
    const ids = new Set(replies.map((r) => json(r)['id'] as string));
    expect(ids.size).toBe(1);
    // Without a request id, each reply gets a new one.
    const [a, b] = [await call('/v1/cache/lookup', ACME, question), await call('/v1/cache/lookup', ACME, question)];
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);

    // Most of the repeats were replays (a change of second re-renders once), and each counted as a hit.
    expect((await metric('strata_hit_replays_total')) - replaysBefore).toBeGreaterThanOrEqual(4);
    expect(((await stats(ACME))['hits']['l1'] as number) - hitsBefore).toBe(8);
  });

  it('stops replaying an answer once a purge removed it: the same request is then a miss', async () => {
    const tag = `order:${randomUUID()}`;
    const question = ask(`Where is my order? ${randomUUID()}`);
    await call('/v1/cache/entries', ACME, { ...question, tags: [tag], response: { a: 'on its way' } });
    for (let i = 0; i < 3; i++) expect(json(await call('/v1/cache/lookup', ACME, question))['hit']).toBe(true);

    expect((await call('/v1/cache/purge', ACME, { tags: [tag] })).status).toBe(200);

    expect(json(await call('/v1/cache/lookup', ACME, question))).toMatchObject({ hit: false, status: 'miss' });
  });

  it("never answers another tenant's identical request with a replay", async () => {
    const question = ask(`What is the refund policy? ${randomUUID()}`);
    await call('/v1/cache/entries', ACME, { ...question, response: { a: 'acme: 30 days' } });
    for (let i = 0; i < 3; i++) expect(json(await call('/v1/cache/lookup', ACME, question))['hit']).toBe(true);

    const asGlobex = await call('/v1/cache/lookup', GLOBEX, question);
    expect(json(asGlobex)).toMatchObject({ hit: false, status: 'miss' });
    // The same key sent in another header is the same tenant: still acme's hit.
    const viaStrataKey = await rawRequest(strata.url, {
      method: 'POST',
      path: '/v1/cache/lookup',
      headers: { 'x-strata-key': ACME },
      body: JSON.stringify(question),
    });
    expect(json(viaStrataKey)).toMatchObject({ hit: true, response: { a: 'acme: 30 days' } });
  });

  it("keeps counting the answer's age: a replay is re-rendered when its age changes", async () => {
    const question = ask(`How old is this answer? ${randomUUID()}`);
    await call('/v1/cache/entries', ACME, { ...question, response: { a: 'fresh' } });
    const first = json(await call('/v1/cache/lookup', ACME, question));
    expect(first['age']).toBe(0);
    const later = await eventually(
      async () => {
        const reply = json(await call('/v1/cache/lookup', ACME, question));
        if ((reply['age'] as number) < 1) throw new Error(`age still ${String(reply['age'])}`);
        return reply;
      },
      5_000,
      100,
    );
    expect(later['age']).toBeGreaterThanOrEqual(1);
    expect(later['ttl']).toBeLessThan(first['ttl'] as number);
  });

  it('replays chat-completion hits with the same headers and counts the tokens each one saved', async () => {
    const body = { model: 'gpt-test', temperature: 0, messages: [{ role: 'user', content: `Hi ${randomUUID()}` }] };
    const miss = await call('/v1/chat/completions', ACME, body);
    expect(miss.headers['x-strata-cache']).toBe('MISS');
    const first = await eventually(async () => {
      const reply = await call('/v1/chat/completions', ACME, body);
      if (reply.headers['x-strata-cache'] !== 'HIT') throw new Error('not stored yet');
      return reply;
    });
    const savedBefore = (await stats(ACME))['saved']['tokens'] as number;
    const replaysBefore = await metric('strata_hit_replays_total');

    const hits: RawReply[] = [];
    for (let i = 0; i < 5; i++) hits.push(await call('/v1/chat/completions', ACME, body));

    for (const hit of hits) {
      expect(hit.status).toBe(200);
      expect(hit.text).toBe(first.text);
      expect(hit.headers['x-strata-cache']).toBe('HIT');
      expect(hit.headers['x-strata-tier']).toBe('l1');
      expect(hit.headers['x-strata-entry-id']).toBe(first.headers['x-strata-entry-id']);
      expect(hit.headers['content-type']).toBe(first.headers['content-type']);
      expect(hit.headers['cache-control']).toBe(first.headers['cache-control']);
    }
    expect((await metric('strata_hit_replays_total')) - replaysBefore).toBeGreaterThanOrEqual(3);
    const perHit = ((json(first)['usage'] as Json)['total_tokens'] as number) ?? 0;
    expect(perHit).toBeGreaterThan(0);
    expect(((await stats(ACME))['saved']['tokens'] as number) - savedBefore).toBe(5 * perHit);
    // One upstream call in all: the first request's.
    expect(upstream.requests.filter((r) => JSON.stringify(r.body).includes(body.messages[0].content))).toHaveLength(1);
  });
});

/** A POST as the tenant (`key`), a GET (metrics) as the admin. */
const tenantOrAdmin =
  (url: string, key: string, admin: string) =>
  (path: string, body?: unknown): Promise<RawReply> =>
    rawRequest(url, {
      method: body === undefined ? 'GET' : 'POST',
      path,
      headers: { authorization: `Bearer ${body === undefined ? admin : key}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

const storeQuestion = (city: string) => ({
  model: 'gpt-test',
  messages: [{ role: 'user', content: `Is there a store in ${city}?` }],
  params: { temperature: 0 },
});

describe('L1 hits replayed by the front door, under a rate limit', () => {
  let strata: Awaited<ReturnType<typeof startGateway>>;
  const KEY = `limited-${randomUUID()}`;
  const ADMIN = `admin-${randomUUID()}`;
  const BURST = 10;

  beforeAll(async () => {
    strata = await startGateway({
      STRATA_API_KEYS: `limited=${KEY}`,
      STRATA_ADMIN_KEYS: ADMIN,
      STRATA_RATE_LIMIT_RPS: '1',
      STRATA_RATE_LIMIT_BURST: String(BURST),
    });
  }, 60_000);

  afterAll(async () => {
    await strata?.stop();
  });

  it('spends the tenant budget on replayed hits and refuses the excess with a 429', async () => {
    const call = tenantOrAdmin(strata.url, KEY, ADMIN);
    const question = storeQuestion('Lyon');
    // Stores spend the tenant's other bucket (writes).
    expect((await call('/v1/cache/entries', { ...question, response: { a: 'yes' } })).status).toBe(201);
    const started = Date.now();
    const statuses: number[] = [];
    let refused: RawReply | undefined;
    for (let i = 0; i < 3 * BURST && refused === undefined; i++) {
      const reply = await call('/v1/cache/lookup', question);
      statuses.push(reply.status);
      if (reply.status === 429) refused = reply;
    }
    const seconds = (Date.now() - started) / 1000;

    expect(refused?.headers['retry-after']).toBeDefined();
    expect((refused?.json as Json)['error']).toMatchObject({ code: 'rate_limited' });
    const served = statuses.filter((s) => s === 200).length;
    expect(served).toBeGreaterThanOrEqual(BURST);
    // The burst and what refilled meanwhile (1 a second), no more.
    expect(served).toBeLessThanOrEqual(BURST + Math.ceil(seconds));
    const metrics = (await call('/metrics')).text;
    expect(Number(/^strata_hit_replays_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });
});

describe('with STRATA_HIT_REPLAYS=false', () => {
  let strata: Awaited<ReturnType<typeof startGateway>>;
  const KEY = `acme-${randomUUID()}`;
  const ADMIN = `admin-${randomUUID()}`;

  beforeAll(async () => {
    strata = await startGateway({
      STRATA_API_KEYS: `acme=${KEY}`,
      STRATA_ADMIN_KEYS: ADMIN,
      STRATA_HIT_REPLAYS: 'false',
    });
  }, 60_000);

  afterAll(async () => {
    await strata?.stop();
  });

  it('serves every repeated hit through Fastify: the same answers, none replayed', async () => {
    const call = tenantOrAdmin(strata.url, KEY, ADMIN);
    const question = storeQuestion('Lille');
    // The counter is the process's (earlier gateways in this file replayed): compare before and after.
    const replays = async () =>
      Number(/^strata_hit_replays_total (\d+)/m.exec((await call('/metrics')).text)?.[1] ?? 0);
    expect((await call('/v1/cache/entries', { ...question, response: { a: 'yes' } })).status).toBe(201);
    const before = await replays();
    for (let i = 0; i < 5; i++) {
      const reply = await call('/v1/cache/lookup', question);
      expect(reply.json).toMatchObject({ hit: true, response: { a: 'yes' } });
    }
    expect(await replays()).toBe(before);
  });
});
