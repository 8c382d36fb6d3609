import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { FakeUpstream } from '@strata/testing';
import { type RawReply, rawRequest, startGateway } from './support/gateway-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The request id travels as a value (`RequestContext`), not in an AsyncLocalStorage: one, once used, makes every
 * promise, tick and write of the process pay for async hooks. Served through the embedded default (the four services
 * in this process, OpenTelemetry off), requests of every kind still carry their id, and nothing ever enters an
 * AsyncLocalStorage.
 */
describe('the request id, carried explicitly through the embedded default', () => {
  let strata: Awaited<ReturnType<typeof startGateway>>;
  let upstream: FakeUpstream;
  const ACME = `acme-${randomUUID()}`;

  const call = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    rawRequest(strata.url, {
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${ACME}`, ...headers },
      body: JSON.stringify(body),
    });
  const json = (reply: RawReply) => reply.json as Json;
  const ask = (content: string) => ({
    model: 'gpt-test',
    messages: [{ role: 'user', content }],
    params: { temperature: 0 },
  });

  beforeAll(async () => {
    upstream = await FakeUpstream.start({ apiKey: 'upstream-key' });
    strata = await startGateway({
      UPSTREAM_API_KEY: 'upstream-key',
      STRATA_API_KEYS: `acme=${ACME}`,
      UPSTREAM_URL: upstream.url,
      STRATA_HIT_FEEDBACK: 'true',
    });
  }, 60_000);

  afterAll(async () => {
    await strata?.stop();
    await upstream?.stop();
  });

  afterEach(() => jest.restoreAllMocks());

  it('answers feedback by the request id a hit was served under, and never enters an AsyncLocalStorage', async () => {
    // Watched while requests are served only: Jest's own runner enters one around each test and hook.
    const entered = [
      jest.spyOn(AsyncLocalStorage.prototype, 'run'),
      jest.spyOn(AsyncLocalStorage.prototype, 'enterWith'),
    ];
    const question = ask(`How long do returns take? ${randomUUID()}`);
    expect((await call('/v1/cache/lookup', question, { 'x-request-id': 'req-miss' })).headers['x-request-id']).toBe(
      'req-miss',
    );
    expect((await call('/v1/cache/entries', { ...question, response: { answer: '30 days' } })).status).toBe(201);
    const hit = await call('/v1/cache/lookup', question, { 'x-request-id': 'req-hit' });
    expect(json(hit)).toMatchObject({ hit: true });
    const proxied = await call('/v1/chat/completions', ask(`Do you ship abroad? ${randomUUID()}`), {
      'x-request-id': 'req-proxied',
    });
    expect(proxied.status).toBe(200);
    expect(proxied.headers['x-request-id']).toBe('req-proxied');
    expect((await call('/v1/invalidations', { tags: ['doc:nothing'] })).status).toBe(202);

    const verdict = await call('/v1/cache/feedback', { requestId: 'req-hit', verdict: 'right' });

    expect(verdict.status).toBe(200);
    expect(json(verdict)).toMatchObject({ entryId: json(hit)['id'] as string, verdict: 'right' });
    for (const spy of entered) expect(spy).not.toHaveBeenCalled();
  });
});
