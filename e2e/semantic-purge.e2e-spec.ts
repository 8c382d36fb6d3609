import { eventually } from './support/eventually';
import { type StrataProcess, http, startStrataProcess } from './support/strata-process';

/**
 * Semantic purge on the embedded default (`node dist/apps/gateway/src/main.js`, the local embedding model), over
 * HTTP: entries whose question lies within the radius of a text go, with their copies, from every tier; unrelated
 * entries and other tenants' entries stay.
 */
describe('semantic purge (end to end, embedded)', () => {
  let strata: StrataProcess;
  const ACME = 'acme-key-1';
  const GLOBEX = 'globex-key-1';

  const shop = { role: 'system', content: 'You are the support assistant of a shoe shop.' };
  const brief = { role: 'system', content: 'Answer in one short sentence.' };
  const ask = (content: string, system = shop) => ({
    model: 'gpt-4o-mini',
    messages: [system, { role: 'user', content }],
    params: { temperature: 0 },
  });
  const lookup = (body: unknown, apiKey = ACME) => http(strata.url, 'POST', '/v1/cache/lookup', { body, apiKey });
  const store = async (body: unknown, apiKey = ACME): Promise<string> => {
    const stored = await http(strata.url, 'POST', '/v1/cache/entries', { body, apiKey });
    expect(stored.status).toBe(201);
    return stored.body.id as string;
  };
  const purge = (body: unknown, apiKey = ACME) => http(strata.url, 'POST', '/v1/cache/purge', { body, apiKey });

  // With the local sentence encoder: cosine ≈ 0.96 and 0.77 to the purge text for the two near questions, ≈ 0.37 for
  // the other (minSimilarity is the embedding model's cosine).
  const RETURN = 'How can I return my shoes for a refund?';
  const SEND_BACK = 'Can I send my shoes back and get a refund?';
  const HOURS = 'What are your store opening hours?';
  const PURGE_TEXT = 'How do I return shoes and get a refund?';

  beforeAll(async () => {
    strata = await startStrataProcess('dist/apps/gateway/src/main.js', {
      STRATA_API_KEYS: `acme=${ACME},globex=${GLOBEX}`,
      // A loaded machine must not turn a semantic lookup (a new text's embedding) into a spurious miss.
      STRATA_CACHE_TIMEOUT_MS: '2000',
    });
  });

  afterAll(async () => {
    expect(await strata.stop()).toBe(0);
  });

  it('purges the entries near the text in every context, with their copies, and keeps the rest and other tenants', async () => {
    const returnId = await store({ ...ask(RETURN), response: { answer: 'Within 30 days, for a full refund.' } });
    await store({ ...ask(SEND_BACK, brief), response: { answer: 'Yes, within 30 days.' } });
    await store({ ...ask(HOURS), response: { answer: '9 to 6.' } });
    await store({ ...ask(RETURN), response: { answer: 'Globex: 14 days.' } }, GLOBEX);
    // A paraphrase answered from L3 leaves a copy of the entry in L2 and L1 under its own key.
    const paraphrase = ask('how can i return my shoes for a refund');
    expect((await lookup(paraphrase)).body).toMatchObject({ hit: true, tier: 'l3', id: returnId });

    const purged = await purge({ semantic: { text: PURGE_TEXT, minSimilarity: 0.7 } });

    expect(purged.status).toBe(200);
    expect(purged.body).toEqual({ purged: { l1: 3, l2: 3, l3: 2 }, semantic: { matched: 2, truncated: false } });
    for (const gone of [ask(RETURN), ask(SEND_BACK, brief), paraphrase]) {
      expect((await lookup(gone)).body).toMatchObject({ hit: false, status: 'miss' });
      expect((await lookup({ ...gone, mode: 'semantic' })).body).toMatchObject({ hit: false, status: 'miss' });
    }
    expect((await lookup(ask(HOURS))).body).toMatchObject({ hit: true, response: { answer: '9 to 6.' } });
    expect((await lookup(ask(RETURN), GLOBEX)).body).toMatchObject({
      hit: true,
      response: { answer: 'Globex: 14 days.' },
    });
    expect((await lookup(paraphrase, GLOBEX)).body).toMatchObject({
      hit: true,
      tier: 'l3',
      response: { answer: 'Globex: 14 days.' },
    });
  });

  it('narrows to a namespace when one is given', async () => {
    await store({ ...ask('Do you sell running socks?'), namespace: 'sales', response: { answer: 'yes' } });
    await store({ ...ask('Do you sell running socks?'), namespace: 'support', response: { answer: 'ask sales' } });

    const purged = await purge({
      namespace: 'sales',
      semantic: { text: 'Can I buy running socks from you?', minSimilarity: 0.7 },
    });

    expect(purged.body).toMatchObject({ purged: { l2: 1, l3: 1 }, semantic: { matched: 1, truncated: false } });
    expect((await lookup({ ...ask('Do you sell running socks?'), namespace: 'sales' })).body.hit).toBe(false);
    expect((await lookup({ ...ask('Do you sell running socks?'), namespace: 'support' })).body).toMatchObject({
      hit: true,
    });
  });

  it('purges nothing when no question lies within the radius', async () => {
    const purged = await purge({ semantic: { text: 'Which credit cards do you accept?', minSimilarity: 0.9 } });

    expect(purged.body).toEqual({ purged: { l1: 0, l2: 0, l3: 0 }, semantic: { matched: 0, truncated: false } });
    expect((await lookup(ask(HOURS))).body).toMatchObject({ hit: true });
  });

  it('applies a semantic data-change event published through /v1/invalidations', async () => {
    const published = await http(strata.url, 'POST', '/v1/invalidations', {
      body: { semantic: { text: 'When is your store open?', minSimilarity: 0.65 }, reason: 'new opening hours' },
      apiKey: ACME,
    });

    expect(published.status).toBe(202);
    await eventually(async () => {
      expect((await lookup(ask(HOURS))).body).toMatchObject({ hit: false, status: 'miss' });
    });
    expect((await lookup({ ...ask('Do you sell running socks?'), namespace: 'support' })).body).toMatchObject({
      hit: true,
    });
  });

  it('rejects semantic combined with tags, and a radius outside [0, 1], with 400', async () => {
    const withTags = await purge({ tags: ['doc:returns'], semantic: { text: PURGE_TEXT, minSimilarity: 0.8 } });
    const outOfRange = await purge({ semantic: { text: PURGE_TEXT, minSimilarity: 1.5 } });

    expect(withTags.status).toBe(400);
    expect(withTags.body.error.code).toBe('invalid_request');
    expect(outOfRange.status).toBe(400);
  });
});
