import { randomUUID } from 'node:crypto';
import { FakeUpstream } from '@strata/testing';
import { type RawReply, rawRequest, startGateway } from './support/gateway-harness';

/**
 * The hot routes parse a body the front door read in their `preParsing` hook, skipping Fastify's content-type parser
 * step (`FastifyHotRoutes`). Every body must be answered as Fastify's own parsing answers it: the same request to a
 * gateway whose front door is off (`STRATA_HIT_REPLAYS=false`: Fastify reads and parses every body) gets the same
 * status and body.
 */
describe('hot-route bodies parsed ahead of Fastify', () => {
  let early: Awaited<ReturnType<typeof startGateway>>;
  let fastifyOnly: Awaited<ReturnType<typeof startGateway>>;
  let upstream: FakeUpstream;
  const KEY = `acme-${randomUUID()}`;

  const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const chat = (content: string) => JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content }] });
  const lookup = (content: string) =>
    JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content }], params: { temperature: 0 } });

  /** What a client can compare: status, headers that tell, and the body without what differs per gateway or call. */
  const seen = (reply: RawReply) => ({
    status: reply.status,
    type: reply.headers['content-type'],
    cache: reply.headers['x-strata-cache'],
    connection: reply.headers['connection'],
    body: reply.text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
      .replace(/"ticket":\d+/, '"ticket":<n>')
      // The fake upstream numbers its answers.
      .replace(/(chatcmpl-fake-|Answer #)\d+/g, '$1<n>'),
  });

  const send = (url: string, path: string, body: string, type: string) =>
    rawRequest(url, {
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': type },
      body,
    });

  beforeAll(async () => {
    upstream = await FakeUpstream.start({ apiKey: 'upstream-key' });
    const env = {
      UPSTREAM_API_KEY: 'upstream-key',
      STRATA_API_KEYS: `acme=${KEY}`,
      UPSTREAM_URL: upstream.url,
      STRATA_CACHE_TIMEOUT_MS: '2000',
    };
    early = await startGateway(env);
    fastifyOnly = await startGateway({ ...env, STRATA_HIT_REPLAYS: 'false' });
  }, 120_000);

  afterAll(async () => {
    await early?.stop();
    await fastifyOnly?.stop();
    await upstream?.stop();
  });

  const JSON_TYPE = 'application/json';
  const cases: readonly (readonly [string, string, string])[] = [
    ['valid JSON', 'ok', JSON_TYPE],
    ['a charset', 'ok', 'application/json; charset=utf-8'],
    ['an upper-case media type', 'ok', 'APPLICATION/JSON'],
    ['another charset', 'ok', 'application/json; charset=iso-8859-1'],
    ['a media type that only starts like JSON', 'ok', 'application/json-seq'],
    ['JSON that does not parse', '{"model":', JSON_TYPE],
    ['a byte-order mark', `\uFEFF${chat('bom')}`, JSON_TYPE],
    ['a __proto__ key', '{"__proto__":{"admin":true},"model":"gpt-test","messages":[]}', JSON_TYPE],
    ['a constructor.prototype key', '{"constructor":{"prototype":{"admin":true}},"model":"gpt-test"}', JSON_TYPE],
    ['JSON null', 'null', JSON_TYPE],
    ['a JSON string', '"hello"', JSON_TYPE],
    ['a JSON array', '[]', JSON_TYPE],
    ['JSON nested past the limit', nested(200), JSON_TYPE],
    ['JSON nested up to the limit', nested(128), JSON_TYPE],
  ];

  for (const path of ['/v1/chat/completions', '/v1/cache/lookup']) {
    it.each(cases)(`${path}: %s is answered as Fastify's parser answers it`, async (_name, body, type) => {
      const sent = body === 'ok' ? (path === '/v1/cache/lookup' ? lookup('ok?') : chat('ok?')) : body;
      const [a, b] = [await send(early.url, path, sent, type), await send(fastifyOnly.url, path, sent, type)];
      expect(seen(a)).toEqual(seen(b));
    });
  }
});
