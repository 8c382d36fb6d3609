import { type StrataProcess, http, startStrataProcess } from './support/strata-process';

/**
 * The embedded default as a newcomer runs it (`npm start` → node dist/apps/gateway/src/main.js), driven
 * over HTTP: the "Done when" list of the foundation issue.
 */
describe('embedded default (end to end)', () => {
  let strata: StrataProcess;
  const ACME = 'acme-key-1';
  const GLOBEX = 'globex-key-1';
  const OPS = 'ops-admin-key-1';

  const system = { role: 'system', content: 'You are the support assistant of a shoe shop.' };
  const ask = (content: string, extra: Record<string, unknown> = {}) => ({
    model: 'gpt-4o-mini',
    messages: [system, { role: 'user', content }],
    params: { temperature: 0 },
    ...extra,
  });
  const lookup = (body: unknown, apiKey = ACME) => http(strata.url, 'POST', '/v1/cache/lookup', { body, apiKey });
  const store = (body: unknown, apiKey = ACME) => http(strata.url, 'POST', '/v1/cache/entries', { body, apiKey });

  beforeAll(async () => {
    strata = await startStrataProcess('dist/apps/gateway/src/main.js', {
      STRATA_API_KEYS: `acme=${ACME},globex=${GLOBEX}`,
      // /metrics names tenants and models: on the API port it needs an operator key.
      STRATA_ADMIN_KEYS: OPS,
      // One L1 slot: storing a second entry evicts the first from L1, so its next lookup shows L2.
      STRATA_L1_MAX_ENTRIES: '1',
      // A loaded machine must not turn a semantic lookup (a new text's embedding) into a spurious miss.
      STRATA_CACHE_TIMEOUT_MS: '2000',
    });
  });

  afterAll(async () => {
    expect(await strata.stop()).toBe(0);
  });

  it('reports live and ready', async () => {
    expect((await http(strata.url, 'GET', '/health/live')).status).toBe(200);
    const ready = await http(strata.url, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ok');
  });

  it('serves a stored answer from L1, then from L2 once L1 no longer holds it', async () => {
    const stored = await store({
      ...ask('How long do I have to return shoes?'),
      response: { answer: '30 days' },
      tags: ['doc:returns'],
    });
    expect(stored.status).toBe(201);
    expect(stored.body.id).toMatch(/^[0-9a-f-]{36}$/);

    const l1 = await lookup(ask('How long do I have to return shoes?'));
    expect(l1.body).toMatchObject({ hit: true, tier: 'l1', id: stored.body.id, response: { answer: '30 days' } });
    expect(l1.body.age).toBeGreaterThanOrEqual(0);

    await store({ ...ask('Do you ship to Canada?'), response: { answer: 'yes' }, tags: ['doc:shipping'] });
    const l2 = await lookup(ask('How long do I have to return shoes?'));
    expect(l2.body).toMatchObject({ hit: true, tier: 'l2', id: stored.body.id, response: { answer: '30 days' } });
  });

  it('answers a paraphrase from L3 with its similarity, and the paraphrase exactly afterwards', async () => {
    const hit = await lookup(ask('how long do i have to return my shoes'));
    expect(hit.body).toMatchObject({ hit: true, tier: 'l3', response: { answer: '30 days' } });
    expect(hit.body.similarity).toBeGreaterThan(0);
    expect(hit.body.similarity).toBeLessThanOrEqual(1);

    const again = await lookup(ask('how long do i have to return my shoes'));
    expect(again.body).toMatchObject({ hit: true, response: { answer: '30 days' } });
    expect(['l1', 'l2']).toContain(again.body.tier);
  });

  it.each([
    ['a different question', ask('Do you sell socks?')],
    ['a question differing in a number', ask('How long do I have to return 3 pairs of shoes?')],
    ['another model', { ...ask('How long do I have to return shoes?'), model: 'gpt-4o' }],
    [
      'another system prompt',
      {
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Answer as a pirate.' },
          { role: 'user', content: 'How long do I have to return shoes?' },
        ],
        params: { temperature: 0 },
      },
    ],
    [
      'other generation params',
      ask('How long do I have to return shoes?', { params: { temperature: 0, max_tokens: 5 } }),
    ],
  ])('misses for %s', async (_case, body) => {
    expect((await lookup(body)).body).toMatchObject({ hit: false, status: 'miss' });
  });

  it('answers the same question after a greeting, but not after a different earlier exchange', async () => {
    const withTurns = (...turns: { role: string; content: string }[]) => ({
      model: 'gpt-4o-mini',
      messages: [system, ...turns, { role: 'user', content: 'How long do I have to return shoes?' }],
      params: { temperature: 0 },
    });
    const greeted = await lookup(
      withTurns({ role: 'user', content: 'Hi there!' }, { role: 'assistant', content: 'Hello! How can I help you?' }),
    );
    expect(greeted.body).toMatchObject({ hit: true, tier: 'l3', similarity: 1, response: { answer: '30 days' } });

    const afterAnotherQuestion = await lookup(
      withTurns({ role: 'user', content: 'Do you sell sandals?' }, { role: 'assistant', content: 'Yes, all sizes.' }),
    );
    expect(afterAnotherQuestion.body).toMatchObject({ hit: false, status: 'miss' });
  });

  it('never answers another tenant, exactly or semantically, nor shows it the entry', async () => {
    const stored = await store({ ...ask('What sizes do you carry?'), response: { answer: 'EU 35-48' } });
    expect((await lookup(ask('What sizes do you carry?'), GLOBEX)).body).toMatchObject({ hit: false, status: 'miss' });
    expect((await lookup(ask('what sizes do you carry'), GLOBEX)).body).toMatchObject({ hit: false, status: 'miss' });
    expect((await lookup(ask('what sizes do you carry'), ACME)).body).toMatchObject({ hit: true, tier: 'l3' });
    expect(
      (await http(strata.url, 'GET', `/v1/cache/entries/${stored.body.id as string}`, { apiKey: GLOBEX })).status,
    ).toBe(404);
    expect(
      (await http(strata.url, 'GET', `/v1/cache/entries/${stored.body.id as string}`, { apiKey: ACME })).body,
    ).toMatchObject({
      id: stored.body.id,
      response: { answer: 'EU 35-48' },
    });
  });

  it('rejects a missing or unknown API key with 401', async () => {
    const missing = await http(strata.url, 'POST', '/v1/cache/lookup', { body: ask('hi') });
    const unknown = await lookup(ask('hi'), 'nope');
    expect(missing.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('unauthorized');
  });

  it('bypasses requests whose temperature makes answers non-deterministic', async () => {
    const sampled = await lookup({ ...ask('How long do I have to return shoes?'), params: { temperature: 0.8 } });
    expect(sampled.body).toEqual({ hit: false, status: 'bypass', reason: 'temperature' });
    const storeSampled = await store({ ...ask('Tell me a joke'), params: {}, response: { answer: 'no' } });
    expect(storeSampled.status).toBe(422);
    expect(storeSampled.body.error.code).toBe('not_cacheable');
  });

  it('purges by tag only the tagged entries, of the calling tenant only', async () => {
    await store({ ...ask('Do you ship to Canada?'), response: { answer: 'yes' }, tags: ['doc:shipping'] }, GLOBEX);
    const purge = await http(strata.url, 'POST', '/v1/cache/purge', { body: { tags: ['doc:returns'] }, apiKey: ACME });
    expect(purge.status).toBe(200);
    expect(purge.body.purged.l2).toBeGreaterThanOrEqual(1);
    expect(purge.body.purged.l3).toBeGreaterThanOrEqual(1);

    expect((await lookup(ask('How long do I have to return shoes?'))).body.hit).toBe(false);
    expect((await lookup(ask('how long do i have to return my shoes'))).body.hit).toBe(false);
    expect((await lookup(ask('Do you ship to Canada?'))).body).toMatchObject({
      hit: true,
      response: { answer: 'yes' },
    });

    const otherTenant = await http(strata.url, 'POST', '/v1/cache/purge', {
      body: { tags: ['doc:shipping'] },
      apiKey: GLOBEX,
    });
    expect(otherTenant.body.purged).toMatchObject({ l2: 1 });
    expect((await lookup(ask('Do you ship to Canada?'))).body).toMatchObject({
      hit: true,
      response: { answer: 'yes' },
    });
  });

  it('applies a data-change event published through /v1/invalidations, once', async () => {
    await store({
      ...ask('Is the Trail Runner waterproof?'),
      response: { answer: 'yes' },
      tags: ['product:trail-runner'],
    });
    await store({
      ...ask('Is the City Walker waterproof?'),
      response: { answer: 'no' },
      tags: ['product:city-walker'],
    });
    const published = await http(strata.url, 'POST', '/v1/invalidations', {
      body: { id: 'evt-1', tags: ['product:trail-runner'], reason: 'spec changed' },
      apiKey: ACME,
    });
    expect(published.status).toBe(202);
    expect(published.body).toMatchObject({ id: 'evt-1', topic: 'strata.data-changes.v1' });
    expect((await lookup(ask('Is the Trail Runner waterproof?'))).body.hit).toBe(false);
    expect((await lookup(ask('Is the City Walker waterproof?'))).body).toMatchObject({ hit: true });

    // A replay of the same event id is harmless: the entry stored since is kept.
    await store({
      ...ask('Is the Trail Runner waterproof?'),
      response: { answer: 'now it is' },
      tags: ['product:trail-runner'],
    });
    await http(strata.url, 'POST', '/v1/invalidations', {
      body: { id: 'evt-1', tags: ['product:trail-runner'] },
      apiKey: ACME,
    });
    expect((await lookup(ask('Is the Trail Runner waterproof?'))).body).toMatchObject({
      hit: true,
      response: { answer: 'now it is' },
    });
  });

  it('refuses to store an answer whose lookup preceded a purge of its tags', async () => {
    const miss = await lookup(ask('What does the Trail Runner cost?'));
    expect(miss.body).toMatchObject({ hit: false, status: 'miss' });
    expect(typeof miss.body.ticket).toBe('number');
    await http(strata.url, 'POST', '/v1/cache/purge', { body: { tags: ['product:trail-runner'] }, apiKey: ACME });
    const late = await store({
      ...ask('What does the Trail Runner cost?'),
      response: { answer: '$99' },
      tags: ['product:trail-runner'],
      ticket: miss.body.ticket,
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('stale_entry');
    expect((await lookup(ask('What does the Trail Runner cost?'))).body.hit).toBe(false);
  });

  it('deletes an entry by id from every tier', async () => {
    const stored = await store({ ...ask('Can I pay with PayPal?'), response: { answer: 'yes' } });
    const deleted = await http(strata.url, 'DELETE', `/v1/cache/entries/${stored.body.id as string}`, { apiKey: ACME });
    expect(deleted.status).toBe(200);
    expect(
      (await http(strata.url, 'GET', `/v1/cache/entries/${stored.body.id as string}`, { apiKey: ACME })).status,
    ).toBe(404);
    expect((await lookup(ask('Can I pay with PayPal?'))).body.hit).toBe(false);
    expect(
      (await http(strata.url, 'DELETE', `/v1/cache/entries/${stored.body.id as string}`, { apiKey: ACME })).status,
    ).toBe(404);
  });

  describe('bad input gets a 4xx JSON error and the service keeps serving', () => {
    const expectError = (
      res: { status: number; body: { error?: { code?: string; message?: string } } },
      status: number,
      code: string,
    ) => {
      expect(res.status).toBe(status);
      expect(res.body.error?.code).toBe(code);
      expect(typeof res.body.error?.message).toBe('string');
    };
    const post = (path: string, options: Parameters<typeof http>[3]) =>
      http(strata.url, 'POST', path, { apiKey: ACME, ...options });

    it('malformed JSON → 400 invalid_json', async () => {
      expectError(
        await post('/v1/cache/lookup', { raw: '{"model": "x",', headers: { 'content-type': 'application/json' } }),
        400,
        'invalid_json',
      );
    });
    it('wrong types → 400 invalid_request with details', async () => {
      const res = await post('/v1/cache/lookup', { body: { model: 42, messages: 'hi' } });
      expectError(res, 400, 'invalid_request');
      expect(res.body.error.details.length).toBeGreaterThan(0);
    });
    it('unknown mode → 400', async () => {
      expectError(await post('/v1/cache/lookup', { body: { ...ask('hi'), mode: 'fuzzy' } }), 400, 'invalid_request');
    });
    it('empty messages → 400', async () => {
      expectError(await post('/v1/cache/lookup', { body: { model: 'm', messages: [] } }), 400, 'invalid_request');
    });
    it('both messages and prompt → 400', async () => {
      expectError(await post('/v1/cache/lookup', { body: { ...ask('hi'), prompt: 'hi' } }), 400, 'invalid_request');
    });
    it('a reserved tag → 400', async () => {
      expectError(
        await post('/v1/cache/entries', { body: { ...ask('hi'), response: 'x', tags: ['$entry:1'] } }),
        400,
        'invalid_request',
      );
    });
    it('a body over the limit → 413', async () => {
      expectError(
        await post('/v1/cache/entries', { body: { ...ask('hi'), response: 'x'.repeat(1_100_000) } }),
        413,
        'payload_too_large',
      );
    });
    it('a message text over the limit → 413', async () => {
      expectError(await post('/v1/cache/lookup', { body: ask('y'.repeat(40_000)) }), 413, 'payload_too_large');
    });
    it('a non-JSON media type → 415', async () => {
      expectError(
        await post('/v1/cache/lookup', { raw: 'model=x', headers: { 'content-type': 'text/plain' } }),
        415,
        'unsupported_media_type',
      );
    });
    it('a bad entry id → 400, an unknown route → 404', async () => {
      expectError(
        await http(strata.url, 'GET', '/v1/cache/entries/not-a-uuid', { apiKey: ACME }),
        400,
        'invalid_request',
      );
      expectError(await http(strata.url, 'GET', '/v1/nope'), 404, 'not_found');
    });
    it('still serves after all of that', async () => {
      expect((await http(strata.url, 'GET', '/health/live')).status).toBe(200);
      expect((await lookup(ask('Do you ship to Canada?'))).status).toBe(200);
    });
  });

  it('exports Prometheus metrics and stats', async () => {
    const metrics = await http(strata.url, 'GET', '/metrics', { apiKey: OPS });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/strata_cache_lookups_total\{tier="l1",outcome="hit"\} \d+/);
    expect(metrics.body).toMatch(/strata_cache_lookup_duration_seconds_bucket\{le="[^"]+",tier="l3"\}/);
    expect(metrics.body).toMatch(/strata_cache_entries\{tier="l2"\} \d+/);
    const stats = await http(strata.url, 'GET', '/v1/cache/stats', { apiKey: ACME });
    expect(stats.body.hits.l1).toBeGreaterThan(0);
    expect(stats.body.hits.l2).toBeGreaterThan(0);
    expect(stats.body.hits.l3).toBeGreaterThan(0);
    expect(stats.body.misses).toBeGreaterThan(0);
  });
});
