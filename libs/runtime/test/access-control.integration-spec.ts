import { createHash } from 'node:crypto';
import { ConfigError, loadConfig } from '@strata/config';
import { FakeUpstream } from '@strata/testing';
import { startEmbedded } from '../src/start-strata';
import { type RawReply, isStandardError, rawRequest, startGateway } from './support/gateway-harness';

const ACME = 'acme-key';
const GLOBEX = 'globex-key';
const OPS = 'ops-admin-key';
const MESSAGES = [{ role: 'user', content: 'How long do I have to return shoes?' }];

function entry(answer: string, model = 'gpt-test'): string {
  return JSON.stringify({ model, messages: MESSAGES, params: { temperature: 0 }, response: { answer } });
}

function lookup(model = 'gpt-test'): string {
  return JSON.stringify({ model, messages: MESSAGES, params: { temperature: 0 } });
}

function body(reply: RawReply): Record<string, unknown> {
  return reply.json as Record<string, unknown>;
}

/**
 * Issue #10, items 5, 6, 7 and 10: who may call what on a running gateway, over a real socket.
 */
describe('gateway access control', () => {
  describe('with API keys', () => {
    let upstream: FakeUpstream;
    let strata: Awaited<ReturnType<typeof startGateway>>;
    const call = (path: string, headers: Record<string, string>, init: { method?: string; body?: string } = {}) =>
      rawRequest(strata.url, { path, headers, ...init });

    beforeAll(async () => {
      upstream = await FakeUpstream.start();
      strata = await startGateway({
        STRATA_API_KEYS: `acme=${ACME},globex=${GLOBEX}`,
        STRATA_ADMIN_KEYS: OPS,
        UPSTREAM_URL: upstream.url,
        UPSTREAM_API_KEY: 'operator-upstream-key',
        STRATA_METRICS_PORT: '0',
      });
    });

    afterAll(async () => {
      await strata?.stop();
      await upstream?.stop();
    });

    it('item 6: one precedence for every endpoint — X-Strata-Key, then Authorization: Bearer, then X-API-Key', async () => {
      const both = { authorization: `Bearer ${ACME}`, 'x-api-key': GLOBEX };
      const stored = await call('/v1/cache/entries', both, {
        method: 'POST',
        body: entry('acme answer', 'precedence-model'),
      });
      expect(stored.status).toBe(201);
      // The same request as globex alone: a miss, since the store above was acme's (Bearer beats X-API-Key).
      const asGlobex = await call(
        '/v1/cache/lookup',
        { 'x-api-key': GLOBEX },
        { method: 'POST', body: lookup('precedence-model') },
      );
      expect(body(asGlobex)['hit']).toBe(false);
      const asAcme = await call(
        '/v1/cache/lookup',
        { 'x-strata-key': ACME, authorization: `Bearer ${GLOBEX}` },
        { method: 'POST', body: lookup('precedence-model') },
      );
      expect(body(asAcme)['hit']).toBe(true);
      // The proxy decides the same way: a chat call with both headers is a lookup of acme's, none of globex's.
      const lookups = async (key: string) =>
        body(await call('/v1/cache/stats', { 'x-strata-key': key }))['lookups'] as number;
      const [acmeBefore, globexBefore] = [await lookups(ACME), await lookups(GLOBEX)];
      const chat = await call('/v1/chat/completions', both, {
        method: 'POST',
        body: JSON.stringify({ model: 'precedence-model', temperature: 0, messages: MESSAGES }),
      });
      expect(chat.status).toBe(200);
      expect([await lookups(ACME), await lookups(GLOBEX)]).toEqual([acmeBefore + 1, globexBefore]);
      // and never forwards the header that carried the Strata key.
      expect(upstream.requests.at(-1)?.headers.authorization).toBe('Bearer operator-upstream-key');
    });

    it('item 7: a tenant sees only its own stats; an admin key sees the gateway', async () => {
      await call(
        '/v1/cache/lookup',
        { authorization: `Bearer ${GLOBEX}` },
        { method: 'POST', body: lookup('globex-secret-model') },
      );
      const acme = await call('/v1/cache/stats', { authorization: `Bearer ${ACME}` });
      expect(acme.status).toBe(200);
      expect(acme.text).not.toContain('globex');
      expect(body(acme)['entries']).toBeUndefined();
      const before = body(acme)['lookups'] as number;
      await call(
        '/v1/cache/lookup',
        { authorization: `Bearer ${GLOBEX}` },
        { method: 'POST', body: lookup('another-globex-model') },
      );
      expect(body(await call('/v1/cache/stats', { authorization: `Bearer ${ACME}` }))['lookups']).toBe(before);
      const admin = await call('/v1/cache/stats', { authorization: `Bearer ${OPS}` });
      expect(admin.status).toBe(200);
      expect(body(admin)['entries']).toBeDefined();
    });

    it('item 7: /metrics on the API port needs an admin key; the metrics port serves it without one', async () => {
      const anonymous = await call('/metrics', {});
      expect(anonymous.status).toBe(401);
      expect(isStandardError(anonymous.json)).toBe(true);
      expect((await call('/metrics', { authorization: `Bearer ${ACME}` })).status).toBe(401);
      expect((await call('/metrics', { authorization: `Bearer ${OPS}` })).text).toContain('strata_cache_lookups_total');
      const scraped = await rawRequest(`http://127.0.0.1:${strata.metricsPort}`, { path: '/metrics' });
      expect(scraped.status).toBe(200);
      expect(scraped.text).toContain('strata_cache_lookups_total');
      // An admin key reads; it does not act as a tenant.
      expect(
        (await call('/v1/cache/lookup', { authorization: `Bearer ${OPS}` }, { method: 'POST', body: lookup() })).status,
      ).toBe(401);
      expect((await call('/health/live', {})).status).toBe(200);
    });
  });

  describe('failed authentication (item 10)', () => {
    let strata: Awaited<ReturnType<typeof startGateway>>;

    beforeAll(async () => {
      strata = await startGateway({ STRATA_API_KEYS: `acme=${ACME}`, STRATA_AUTH_FAILURES_PER_MINUTE: '5' });
    });

    afterAll(() => strata?.stop());

    const call = (path: string, headers: Record<string, string>, init: { method?: string; body?: string } = {}) =>
      rawRequest(strata.url, { path, headers, ...init });

    it('item 10: failed authentication is limited per client address (429, Retry-After, JSON), even for a valid key after', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++)
        statuses.push((await call('/v1/cache/stats', { authorization: `Bearer wrong-${i}` })).status);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
      const throttled = await call(
        '/v1/cache/lookup',
        { authorization: `Bearer ${ACME}` },
        { method: 'POST', body: lookup() },
      );
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      expect(isStandardError(throttled.json)).toBe(true);
    });
  });

  describe('failed authentication behind a trusted proxy (STRATA_TRUST_PROXY)', () => {
    let strata: Awaited<ReturnType<typeof startGateway>>;

    beforeAll(async () => {
      strata = await startGateway({
        STRATA_API_KEYS: `acme=${ACME}`,
        STRATA_AUTH_FAILURES_PER_MINUTE: '2',
        STRATA_TRUST_PROXY: 'true',
      });
    });

    afterAll(() => strata?.stop());

    it('limits each forwarded client on its own: one client locked out does not lock out the rest', async () => {
      const attempt = (client: string, key: string) =>
        rawRequest(strata.url, {
          path: '/v1/cache/stats',
          headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': client },
        });
      const locked: number[] = [];
      for (let i = 0; i < 3; i++) locked.push((await attempt('203.0.113.7', 'wrong')).status);
      expect(locked).toEqual([401, 401, 429]);
      expect((await attempt('198.51.100.9', 'wrong')).status).toBe(401);
      expect((await attempt('198.51.100.9', ACME)).status).toBe(200);
    });
  });

  describe('per-tenant rate limits on every endpoint (item 10)', () => {
    let strata: Awaited<ReturnType<typeof startGateway>>;

    beforeAll(async () => {
      strata = await startGateway({
        STRATA_API_KEYS: `acme=${ACME},globex=${GLOBEX}`,
        STRATA_RATE_LIMIT_RPS: '0.01',
        STRATA_RATE_LIMIT_BURST: '2',
      });
    });

    afterAll(() => strata?.stop());

    it('the cache API answers 429 with Retry-After once the tenant is over its limit', async () => {
      const replies: RawReply[] = [];
      for (let i = 0; i < 3; i++)
        replies.push(
          await rawRequest(strata.url, {
            method: 'POST',
            path: '/v1/cache/lookup',
            body: lookup(),
            headers: { authorization: `Bearer ${ACME}` },
          }),
        );
      expect(replies.map((r) => r.status)).toEqual([200, 200, 429]);
      expect(Number(replies[2]?.headers['retry-after'])).toBeGreaterThan(0);
      expect(isStandardError(replies[2]?.json)).toBe(true);
    });

    it('purges and invalidations have their own bucket, limited too', async () => {
      const key = `tag-${createHash('sha256').update(String(Date.now())).digest('hex').slice(0, 8)}`;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const reply = await rawRequest(strata.url, {
          method: 'POST',
          path: '/v1/invalidations',
          body: JSON.stringify({ tags: [key] }),
          headers: { 'x-api-key': GLOBEX },
        });
        statuses.push(reply.status);
      }
      expect(statuses).toEqual([202, 202, 429]);
    });
  });

  describe('keyless mode (item 5)', () => {
    it('binds loopback by default and says so', async () => {
      const strata = await startEmbedded(loadConfig({ PORT: '0', LOG_LEVEL: 'silent' }));
      try {
        expect(strata.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      } finally {
        await strata.stop();
      }
    });

    it('refuses to listen beyond loopback without keys unless opted in', () => {
      expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(ConfigError);
    });

    it('on a keyless public gateway, cache writes need their own opt-in', async () => {
      const strata = await startEmbedded(
        loadConfig({ HOST: '0.0.0.0', PORT: '0', LOG_LEVEL: 'silent', STRATA_ALLOW_KEYLESS_PUBLIC: 'true' }),
      );
      try {
        expect(strata.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
        const base = `http://127.0.0.1:${strata.port}`;
        const poison = await rawRequest(base, {
          method: 'POST',
          path: '/v1/cache/entries',
          body: entry('a fake completion'),
        });
        expect(poison.status).toBe(401);
        expect(isStandardError(poison.json)).toBe(true);
        for (const [path, payload] of [
          ['/v1/cache/purge', '{"tags":["a"]}'],
          ['/v1/invalidations', '{"tags":["a"]}'],
        ] as const) {
          expect((await rawRequest(base, { method: 'POST', path, body: payload })).status).toBe(401);
        }
        expect((await rawRequest(base, { method: 'POST', path: '/v1/cache/lookup', body: lookup() })).status).toBe(200);
      } finally {
        await strata.stop();
      }
      const writable = await startEmbedded(
        loadConfig({
          HOST: '0.0.0.0',
          PORT: '0',
          LOG_LEVEL: 'silent',
          STRATA_ALLOW_KEYLESS_PUBLIC: 'true',
          STRATA_KEYLESS_WRITES: 'true',
        }),
      );
      try {
        expect(
          (
            await rawRequest(`http://127.0.0.1:${writable.port}`, {
              method: 'POST',
              path: '/v1/cache/entries',
              body: entry('opted in'),
            })
          ).status,
        ).toBe(201);
      } finally {
        await writable.stop();
      }
    });
  });
});
