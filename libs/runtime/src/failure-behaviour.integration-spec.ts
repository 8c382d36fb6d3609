import { randomUUID } from 'node:crypto';
import { loadConfig } from '@strata/config';
import { RedisConnection, keyPart } from '@strata/store-redis';
import {
  FakeEmbeddingsServer,
  type JsonReply,
  type JsonRequest,
  eventually,
  jsonClient,
  metricValue,
} from '@strata/testing';
// Test-only helpers without a path alias (tsconfig.base.json maps libs' public APIs only), hence the relative paths.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { QdrantTestDouble, type RunningQdrantTestDouble } from '../../../tools/qdrant-test-double/src';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ToggleProxy } from '../../store-redis/test/toggle-proxy';
import { type RunningStrata, startEmbedded } from './start-strata';

const REDIS = { host: '127.0.0.1', port: 6379 };
const SYSTEM = { role: 'system', content: 'You are the support assistant of an online shop.' };

/**
 * Issue 4, "Failure behaviour": Strata as it runs in production (the four services in this process via
 * `startEmbedded`, configured from env through `loadConfig`), with Redis, Qdrant and an OpenAI-compatible
 * embedding provider behind switches this test controls, driven over its HTTP API. Each dependency is
 * taken away, the API is checked to keep answering (never a 500), the failure to be counted and visible
 * in readiness, and everything to come back by itself when the dependency does.
 */
describe('failure behaviour of the running services', () => {
  const run = randomUUID().slice(0, 8);
  const tenant = `failure-${run}`;
  const embeddingModel = `failure-embed-${run}`;
  let redis: ToggleProxy;
  let qdrantDouble: RunningQdrantTestDouble;
  let qdrant: ToggleProxy;
  let embeddings: FakeEmbeddingsServer;
  let strata: RunningStrata;
  let api: JsonRequest;
  /** Every answer that broke the contract: a 500 anywhere, or a lookup not answered with 200. */
  const broken: string[] = [];

  beforeAll(async () => {
    redis = await ToggleProxy.start(REDIS);
    qdrantDouble = await QdrantTestDouble.start();
    qdrant = await ToggleProxy.start({ host: '127.0.0.1', port: Number(new URL(qdrantDouble.url).port) });
    embeddings = await FakeEmbeddingsServer.start();
    const config = loadConfig(
      {
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'fatal',
        STRATA_DEFAULT_TENANT: tenant,
        REDIS_URL: redis.url,
        QDRANT_URL: `http://127.0.0.1:${qdrant.port}`,
        EMBEDDING_PROVIDER: 'openai',
        EMBEDDING_URL: embeddings.url,
        EMBEDDING_MODEL: embeddingModel,
        // Generous for a loaded CI machine (production: tens of ms); whether the cache service itself
        // answered in time is checked on its own metric, not inferred from this.
        STRATA_CACHE_TIMEOUT_MS: '2000',
        // L1 keeps entries 1 s, so a test can wait (by polling) until a lookup reaches the cache service.
        STRATA_L1_MAX_TTL_SECONDS: '1',
      },
      { embedding: { timeoutMs: 400, maxRetries: 1 } },
    );
    strata = await startEmbedded(config);
    api = jsonClient(strata.url!);
    // Connections to Redis open in the background: ready once every tier is up.
    await expectReadiness('ok', { l2: 'up', l3: 'up' });
  }, 30_000);

  afterAll(async () => {
    await strata?.stop();
    await Promise.all([redis?.stop(), qdrant?.stop(), qdrantDouble?.stop(), embeddings?.stop()]);
    await deleteTenantKeys(`redis://${REDIS.host}:${REDIS.port}`, tenant, embeddingModel);
  });

  afterEach(() => {
    expect(broken.splice(0)).toEqual([]);
  });

  async function call(method: string, path: string, body?: unknown): Promise<JsonReply> {
    const reply = await api(method, path, body);
    if (reply.status === 500 || (path === '/v1/cache/lookup' && reply.status !== 200)) {
      broken.push(`${method} ${path} → ${reply.status} ${JSON.stringify(reply.body)}`);
    }
    return reply;
  }

  const ask = (question: string) => ({
    model: 'gpt-4o-mini',
    messages: [SYSTEM, { role: 'user', content: question }],
    params: { temperature: 0 },
  });
  const lookup = (question: string, mode?: 'exact' | 'semantic') =>
    call('POST', '/v1/cache/lookup', { ...ask(question), ...(mode ? { mode } : {}) });
  const store = (question: string, answer: string, tags: string[] = []) =>
    call('POST', '/v1/cache/entries', { ...ask(question), response: { answer }, tags });
  const purge = (tags: string[]) => call('POST', '/v1/cache/purge', { tags });
  const ready = () => call('GET', '/health/ready');
  const metric = async (name: string, labels: Record<string, string>) =>
    metricValue((await call('GET', '/metrics')).body as string, name, labels);
  const tierErrors = (tier: string, operation?: string) =>
    metric('strata_tier_errors_total', operation === undefined ? { tier } : { tier, operation });

  /** The first answer to `question` that did not come from the gateway's L1 (whose copies live 1 s). */
  async function pastL1(question: string, mode?: 'exact' | 'semantic'): Promise<Record<string, unknown>> {
    return eventually(async () => {
      const reply = await lookup(question, mode);
      expect(reply.body.tier).not.toBe('l1');
      return reply.body as Record<string, unknown>;
    });
  }

  /** The first answer to `question` that is a hit (and not from L1). */
  /**
   * The first answer that is a hit (from `tier` when given: right after Redis answers again, the store's circuit
   * breaker may still be cooling down, and the same entry is served from L3 until it closes).
   */
  async function untilHit(question: string, tier?: 'l2' | 'l3'): Promise<Record<string, unknown>> {
    return eventually(async () => {
      const body = await pastL1(question);
      expect(body.hit).toBe(true);
      if (tier !== undefined) expect(body.tier).toBe(tier);
      return body;
    });
  }

  async function expectReadiness(status: 'ok' | 'degraded', checks: Record<string, 'up' | 'down'>): Promise<void> {
    await eventually(async () => {
      const reply = await ready();
      expect(reply.status).toBe(200);
      expect(reply.body.status).toBe(status);
      for (const [name, state] of Object.entries(checks))
        expect(reply.body.checks[name]).toMatchObject({ status: state, critical: false });
    });
  }

  describe('Redis down (L2 and the purge generations)', () => {
    const question = 'Can I change my delivery address?';
    const paraphrase = 'can i change the delivery address';
    const invoice = 'Can I pay by invoice?';
    const eventId = `failure-event-${run}`;
    let id: string;

    afterAll(() => redis.restore());

    it('serves an entry from L2 while Redis is up', async () => {
      const stored = await store(question, 'yes, until it ships', ['doc:delivery']);
      expect(stored.status).toBe(201);
      expect(stored.body.tiers).toEqual({ l1: true, l2: true, l3: true });
      id = stored.body.id;
      expect(await pastL1(question)).toMatchObject({ hit: true, tier: 'l2', id });
      await expectReadiness('ok', { l2: 'up', l3: 'up' });
    });

    it('skips L2: lookups answer 200 (a miss), counted as l2 tier errors; readiness degraded with l2 down', async () => {
      const before = {
        l2: await tierErrors('l2', 'get'),
        generations: await tierErrors('generations', 'latest'),
        timeouts: await tierErrors('cache-service'),
      };
      await redis.cut();
      await expectReadiness('degraded', { l2: 'down', l3: 'up' });

      // No ticket: the purge generation it would carry cannot be read either.
      expect(await pastL1(question)).toEqual({ hit: false, status: 'miss' });
      // The paraphrase is in L3, but whether a purge made it stale cannot be checked: a miss, never an unchecked answer.
      expect((await lookup(paraphrase)).body).toEqual({ hit: false, status: 'miss' });

      expect(await tierErrors('l2', 'get')).toBeGreaterThan(before.l2);
      expect(await tierErrors('generations', 'latest')).toBeGreaterThan(before.generations);
      // The cache service answered these itself: the gateway never had to give up waiting for it.
      expect(await tierErrors('cache-service')).toBe(before.timeouts);
    });

    it('refuses stores with a 503 cache_unavailable (not acknowledged, not put in L1) while purges cannot be checked', async () => {
      const before = await tierErrors('generations', 'check');
      const refused = await store(invoice, 'yes, for business accounts');
      expect(refused.status).toBe(503);
      expect(refused.body).toEqual({ error: { code: 'cache_unavailable', message: expect.stringMatching(/purges/) } });
      expect(await tierErrors('generations', 'check')).toBeGreaterThan(before);
      expect((await lookup(invoice)).body).toEqual({ hit: false, status: 'miss' });
    });

    it('fails purges, entry deletes and data-change events loudly (503) instead of skipping them', async () => {
      const purged = await purge(['doc:delivery']);
      expect(purged.status).toBe(503);
      expect(purged.body.error.code).toBe('cache_unavailable');

      const deleted = await call('DELETE', `/v1/cache/entries/${id}`);
      expect(deleted.status).toBe(503);
      expect(deleted.body.error.code).toBe('cache_unavailable');

      // Embedded, the event is applied before the answer: one that cannot be applied must not be a 202.
      const event = await call('POST', '/v1/invalidations', { id: eventId, tags: ['doc:delivery'] });
      expect(event.status).toBe(503);
      expect(event.body.error.code).toBe('cache_unavailable');
    });

    it('recovers without a restart: readiness ok, L2 hits again, stores succeed, the refused event and purges apply', async () => {
      await redis.restore();
      await expectReadiness('ok', { l2: 'up', l3: 'up' });
      expect(await untilHit(question, 'l2')).toMatchObject({ hit: true, tier: 'l2', id });

      const stored = await store(invoice, 'yes, for business accounts', ['doc:invoice']);
      expect(stored.status).toBe(201);
      expect(stored.body.tiers).toEqual({ l1: true, l2: true, l3: true });

      // The same event again: the refused attempt was not recorded as applied, so this one applies.
      expect((await call('POST', '/v1/invalidations', { id: eventId, tags: ['doc:delivery'] })).status).toBe(202);
      expect((await lookup(question)).body).toMatchObject({ hit: false, status: 'miss' });
      expect((await lookup(paraphrase)).body).toMatchObject({ hit: false, status: 'miss' });

      const purged = await purge(['doc:invoice']);
      expect(purged.status).toBe(200);
      expect(purged.body.purged).toMatchObject({ l2: 1, l3: 1 });
      expect((await lookup(invoice)).body).toMatchObject({ hit: false, status: 'miss' });
    });

    it('answers lookups (200) and refuses stores (503) while Redis hangs, and recovers when it answers again', async () => {
      const stored = await store(question, 'yes, until it ships', ['doc:delivery']);
      expect(stored.status).toBe(201);
      redis.stall();
      await expectReadiness('degraded', { l2: 'down' });

      expect(await pastL1(question)).toEqual({ hit: false, status: 'miss' });
      const refused = await store(invoice, 'yes, for business accounts');
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('cache_unavailable');

      await redis.restore();
      await expectReadiness('ok', { l2: 'up' });
      expect(await untilHit(question, 'l2')).toMatchObject({ hit: true, tier: 'l2', id: stored.body.id });
      // An L2 hit reads the purge generations on L2's connection; stores check them on their own connection, whose
      // breaker lets its probe through on its own schedule: stores succeed again once it is answered.
      await eventually(async () => expect((await store('Can I pay in instalments?', 'no')).status).toBe(201));
    });
  });

  describe('Qdrant down (L3)', () => {
    const question = 'How do I reset my password?';
    const paraphrase = 'how can i reset my password';
    const later = 'How do I cancel my subscription?';

    afterAll(() => qdrant.restore());

    it('answers a paraphrase from L3 while Qdrant is up', async () => {
      const stored = await store(question, 'use the link on the sign-in page', ['doc:account']);
      expect(stored.status).toBe(201);
      expect(stored.body.tiers).toMatchObject({ l2: true, l3: true });
      expect((await lookup('how do i reset the password', 'semantic')).body).toMatchObject({
        hit: true,
        tier: 'l3',
        id: stored.body.id,
      });
    });

    it('skips L3: semantic lookups miss (200), exact lookups still hit L2; counted; readiness degraded with l3 down', async () => {
      const before = { l3: await tierErrors('l3', 'search'), timeouts: await tierErrors('cache-service') };
      await qdrant.cut();
      await expectReadiness('degraded', { l2: 'up', l3: 'down' });

      expect((await lookup(paraphrase)).body).toEqual({ hit: false, status: 'miss', ticket: expect.any(Number) });
      expect(await pastL1(question)).toMatchObject({ hit: true, tier: 'l2' });

      expect(await tierErrors('l3', 'search')).toBeGreaterThan(before.l3);
      expect(await tierErrors('cache-service')).toBe(before.timeouts);
    });

    it('still accepts stores into L2 (201, l3: false)', async () => {
      const stored = await store(later, 'in your account settings', ['doc:account']);
      expect(stored.status).toBe(201);
      expect(stored.body.tiers).toEqual({ l1: true, l2: true, l3: false });
      expect(await pastL1(later)).toMatchObject({ hit: true, tier: 'l2', id: stored.body.id });
    });

    it('keeps answering when Qdrant hangs: lookups miss within the gateway timeout, stores land in L2 (201, l3: false)', async () => {
      await qdrant.restore();
      await expectReadiness('ok', { l3: 'up' });
      qdrant.stall();
      await expectReadiness('degraded', { l3: 'down' });

      expect((await lookup('How can I reset my password?')).body).toMatchObject({ hit: false, status: 'miss' });
      const stored = await store('Can I change my username?', 'no, but you can change your display name');
      expect(stored.status).toBe(201);
      expect(stored.body.tiers).toEqual({ l1: true, l2: true, l3: false });
    });

    it('recovers without a restart: readiness ok and L3 answers paraphrases again', async () => {
      await qdrant.restore();
      await expectReadiness('ok', { l2: 'up', l3: 'up' });
      expect(await untilHit(paraphrase)).toMatchObject({ hit: true, tier: 'l3' });
    });
  });

  describe('embedding provider down', () => {
    const question = 'Which payment methods do you accept?';
    // Texts never embedded before (vectors are cached by text): each makes the cache service call the provider.
    const paraphrase = 'what payment methods do you accept';
    const paraphraseWhileHung = 'What payment methods do you accept?';

    afterAll(() => embeddings.start());

    it('answers a paraphrase from L3 while the provider is up', async () => {
      const stored = await store(question, 'cards and bank transfer', ['doc:payment']);
      expect(stored.status).toBe(201);
      expect(stored.body.tiers).toMatchObject({ l2: true, l3: true });
      expect((await lookup('Which payment methods do you accept')).body).toMatchObject({
        hit: true,
        tier: 'l3',
        id: stored.body.id,
      });
    });

    it('skips semantic lookups (200 miss, counted) while exact lookups still hit', async () => {
      const before = {
        embed: await tierErrors('embedding', 'embed'),
        skipped: await metric('strata_cache_lookups_total', { tier: 'l3', outcome: 'skipped' }),
      };
      await embeddings.stop();

      expect((await lookup(paraphrase)).body).toEqual({ hit: false, status: 'miss', ticket: expect.any(Number) });
      expect(await pastL1(question)).toMatchObject({ hit: true, tier: 'l2' });

      expect(await tierErrors('embedding', 'embed')).toBeGreaterThan(before.embed);
      expect(await metric('strata_cache_lookups_total', { tier: 'l3', outcome: 'skipped' })).toBeGreaterThan(
        before.skipped,
      );
      const readiness = await ready();
      expect(readiness.status).toBe(200);
      expect(readiness.body).toMatchObject({
        status: 'degraded',
        checks: { 'embedding-provider': { status: 'down', critical: false } },
      });
    });

    it('still writes stores to L2 (201, l3: false)', async () => {
      const stored = await store('Do you ship to Canada?', 'yes', ['doc:shipping']);
      expect(stored.status).toBe(201);
      expect(stored.body.tiers).toEqual({ l1: true, l2: true, l3: false });
      expect(await pastL1('Do you ship to Canada?')).toMatchObject({ hit: true, tier: 'l2', id: stored.body.id });
    });

    it('skips semantic lookups when the provider hangs, once the provider timeout expires', async () => {
      const before = { embed: await tierErrors('embedding', 'embed'), timeouts: await tierErrors('cache-service') };
      await embeddings.start();
      embeddings.hang();
      expect((await lookup(paraphraseWhileHung)).body).toEqual({
        hit: false,
        status: 'miss',
        ticket: expect.any(Number),
      });
      expect(await tierErrors('embedding', 'embed')).toBeGreaterThan(before.embed);
      // The cache service gave up on the provider and answered before the gateway gave up on it.
      expect(await tierErrors('cache-service')).toBe(before.timeouts);
    });

    it('recovers without a restart: semantic lookups hit L3 again', async () => {
      await embeddings.start();
      expect(await untilHit(paraphrase)).toMatchObject({ hit: true, tier: 'l3' });
      expect(await untilHit(paraphraseWhileHung)).toMatchObject({ hit: true, tier: 'l3' });
      expect((await ready()).body).toMatchObject({ checks: { 'embedding-provider': { status: 'up' } } });
    });
  });
});

/** Removes what the run left in Redis (default `strata:` prefix): the tenant's entries, indexes, purge generations and applied events, the model's cached vectors. */
async function deleteTenantKeys(redisUrl: string, tenant: string, embeddingModel: string): Promise<void> {
  const connection = RedisConnection.open({ url: redisUrl });
  try {
    await connection.whenReady(5_000);
    const { client } = connection;
    const slot = `{${keyPart(tenant)}}`;
    const keys = new Set<string>([`strata:g:${slot}`, `strata:g:${slot}:at`, `strata:namespaces:${slot}`]);
    for (const pattern of [
      `strata:e:${slot}:*`,
      `strata:t:${slot}:*`,
      `strata:n:${slot}:*`,
      `strata:ev:${keyPart(tenant)}:*`,
      `strata:emb:v1:${embeddingModel}:*`,
    ]) {
      for await (const key of client.scanIterator({ MATCH: pattern, COUNT: 1_000 })) keys.add(key);
    }
    await client.sRem('strata:tenants', tenant);
    await client.unlink([...keys]);
  } finally {
    await connection.close();
  }
}
