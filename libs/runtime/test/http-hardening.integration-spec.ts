import { FakeUpstream, eventually, metricValue } from '@strata/testing';
import { type RunningStrata } from '../src/start-strata';
import { type RawReply, isStandardError, rawRequest, startGateway } from './support/gateway-harness';

/** `depth` arrays nested in each other around `leaf`. */
function nestedArrays(depth: number, leaf = '1'): string {
  return '['.repeat(depth) + leaf + ']'.repeat(depth);
}

function nestedObjects(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const MESSAGES = '[{"role":"user","content":"How long do I have to return shoes?"}]';

function expectClientError(reply: RawReply, status: number, code?: string): void {
  expect({ status: reply.status, standard: isStandardError(reply.json) }).toEqual({ status, standard: true });
  if (code !== undefined) expect((reply.json as { error: { code: string } }).error.code).toBe(code);
}

/**
 * Issue #10, items 1, 2 and 8: what an outside prober found at the HTTP surface of the gateway, driven
 * over a real socket with paths and bodies sent byte for byte.
 */
describe('gateway HTTP hardening', () => {
  let upstream: FakeUpstream;
  let strata: RunningStrata & { url: string };
  const send = (path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) =>
    rawRequest(strata.url, { path, ...init });

  beforeAll(async () => {
    upstream = await FakeUpstream.start({ apiKey: 'operator-key' });
    strata = await startGateway({ UPSTREAM_URL: upstream.url, UPSTREAM_API_KEY: 'operator-key' });
  });

  afterAll(async () => {
    await strata?.stop();
    await upstream?.stop();
  });

  describe('GET /v1/models/{id} (item 1: path traversal signed with the operator key)', () => {
    it.each([
      '/v1/models/..%2F..%2Fcount',
      '/v1/models/..%2f..%2fadmin%2fkeys',
      '/v1/models/%2e%2e/%2e%2e/count',
      '/v1/models/%2E%2E%2F%2E%2E%2Fcount',
      '/v1/models/..%252F..%252Fcount',
      '/v1/models/%252e%252e%252f%252e%252e%252fcount',
      '/v1/models/a/..%2F..%2F..%2Fcount',
      '/v1/models/..%5C..%5Ccount',
      '/v1/models/gpt%00x',
    ])('refuses %s with a JSON 400/404 and sends nothing outside /v1/models upstream', async (path) => {
      const before = upstream.requests.length;
      const reply = await send(path);
      expect([400, 404]).toContain(reply.status);
      expect(isStandardError(reply.json)).toBe(true);
      expect(upstream.requests.slice(before).filter((r) => !r.path.startsWith('/v1/models/'))).toEqual([]);
    });

    it('still proxies a real model id, slashes included', async () => {
      const reply = await send('/v1/models/fake-chat');
      expect(reply.status).toBe(200);
      const nested = await send('/v1/models/meta-llama/Llama-3.1-8B');
      expect(upstream.requests.at(-1)?.path).toBe('/v1/models/meta-llama/Llama-3.1-8B');
      expect(nested.status).not.toBe(500);
    });
  });

  describe('deeply nested JSON (item 2)', () => {
    it.each([
      ['params', `{"model":"m","messages":${MESSAGES},"params":{"temperature":0,"x":${nestedArrays(5_000)}}}`],
      [
        'an extra message field',
        `{"model":"m","messages":[{"role":"user","content":"hi","x":${nestedObjects(5_000)}}],"params":{"temperature":0}}`,
      ],
    ])('a lookup with %s nested 5,000 levels is a 400, not a 500', async (_what, body) => {
      expectClientError(await send('/v1/cache/lookup', { method: 'POST', body }), 400, 'invalid_request');
    });

    it('a response nested 5,000 arrays deep is refused at store, so no stored entry answers 500', async () => {
      const body = `{"model":"m","messages":${MESSAGES},"params":{"temperature":0},"response":${nestedArrays(5_000)}}`;
      expectClientError(await send('/v1/cache/entries', { method: 'POST', body }), 400, 'invalid_request');
      const lookup = await send('/v1/cache/lookup', {
        method: 'POST',
        body: `{"model":"m","messages":${MESSAGES},"params":{"temperature":0}}`,
      });
      expect(lookup.status).toBe(200);
      expect((lookup.json as { hit: boolean }).hit).toBe(false);
    });

    it('a chat completion nested 5,000 levels deep is a 400 before the upstream is called', async () => {
      const before = upstream.requests.length;
      const body = `{"model":"fake-chat","temperature":0,"messages":${MESSAGES},"tools":${nestedArrays(5_000)}}`;
      expectClientError(await send('/v1/chat/completions', { method: 'POST', body }), 400, 'invalid_request');
      expect(upstream.requests.length).toBe(before);
    });

    it('an upstream answer nested deeper than the limit is passed through but never stored', async () => {
      let deep: unknown = 'leaf';
      for (let i = 0; i < 1_000; i++) deep = [deep];
      const completion = {
        id: 'c',
        object: 'chat.completion',
        model: 'fake-chat',
        choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
        extra: deep,
      };
      const stop = upstream.rule({ match: 'Answer deeply', status: 200, body: completion });
      const rejected = async () =>
        metricValue((await send('/metrics')).text, 'strata_cache_stores_total', { outcome: 'rejected' });
      try {
        const before = await rejected();
        const body = '{"model":"fake-chat","temperature":0,"messages":[{"role":"user","content":"Answer deeply"}]}';
        expect((await send('/v1/chat/completions', { method: 'POST', body })).status).toBe(200);
        await eventually(async () => (await rejected()) > before);
        const lookup = await send('/v1/cache/lookup', {
          method: 'POST',
          body: '{"model":"fake-chat","messages":[{"role":"user","content":"Answer deeply"}],"params":{"temperature":0},"mode":"exact"}',
        });
        expect(lookup.status).toBe(200);
        expect((lookup.json as { hit: boolean }).hit).toBe(false);
      } finally {
        stop();
      }
    });

    it('keeps accepting the nesting real requests use (a JSON schema 20 levels deep)', async () => {
      const body = `{"model":"m","messages":${MESSAGES},"params":{"temperature":0,"response_format":${nestedObjects(20)}},"response":${nestedArrays(20)}}`;
      expect((await send('/v1/cache/entries', { method: 'POST', body })).status).toBe(201);
    });
  });

  describe('errors in the one JSON format, nothing internal (item 8)', () => {
    it('a malformed URL', async () => {
      expectClientError(await send('/v1/cache/entries/%E0%A4%A'), 400);
      expectClientError(await send('/v1/models/%zz'), 400);
    });

    it('a path parameter over the router limit', async () => {
      const reply = await send(`/v1/cache/entries/${'a'.repeat(500)}`);
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
      expect(isStandardError(reply.json)).toBe(true);
    });

    it('headers over the size limit', async () => {
      const reply = await send('/v1/cache/stats', { headers: { 'x-filler': 'a'.repeat(20_000) } });
      expectClientError(reply, 431);
    });

    it('an unknown route', async () => {
      expectClientError(await send('/v1/nope'), 404, 'not_found');
    });

    it('an unreachable upstream: a 502 that names neither its address nor the socket error', async () => {
      const down = await startGateway({ UPSTREAM_URL: 'http://127.0.0.1:9/v1', UPSTREAM_API_KEY: 'k' });
      try {
        const reply = await rawRequest(down.url, {
          method: 'POST',
          path: '/v1/chat/completions',
          body: `{"model":"x","temperature":0,"messages":${MESSAGES}}`,
        });
        expectClientError(reply, 502, 'upstream_error');
        expect(reply.text).not.toMatch(/127\.0\.0\.1|:9\b|ECONN|UND_ERR|fetch failed/);
      } finally {
        await down.stop();
      }
    });
  });
});
