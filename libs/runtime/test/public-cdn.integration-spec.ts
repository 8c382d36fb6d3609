import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RawReply, rawRequest, startGateway } from './support/gateway-harness';

interface WebhookCall {
  readonly tenant: string;
  readonly surrogateKeys: string[];
}

function which(binary: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Public namespaces at the edge: `GET /v1/cache/public/{tenant}/{namespace}/{id}` without a key, with
 * `Cache-Control: public, max-age`, a strong ETag and 304s; every other answer `private, no-store`; purges and
 * data-change events call the CDN purge webhook with the surrogate keys. Then the same behind a real caching proxy
 * (Varnish, installed by .ci/run), whose webhook handler bans the purged surrogate keys.
 */
describe('public namespaces at the edge', () => {
  let strata: Awaited<ReturnType<typeof startGateway>>;
  let webhook: Server;
  const calls: WebhookCall[] = [];
  let onWebhook: (call: WebhookCall) => void = () => undefined;
  const tenant = `acme-${randomUUID().slice(0, 8)}`;
  const KEY = `key-${randomUUID()}`;

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, base?: string) =>
    rawRequest(base ?? strata.url, {
      method,
      path,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const withKey = { 'x-strata-key': KEY };
  const ask = (content: string, namespace: string) => ({
    namespace,
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content }],
    params: { temperature: 0 },
  });
  const store = async (content: string, namespace: string, tags: string[] = []): Promise<string> => {
    const reply = await call(
      'POST',
      '/v1/cache/entries',
      { ...ask(content, namespace), tags, response: { content } },
      withKey,
    );
    expect(reply.status).toBe(201);
    return (reply.json as { id: string }).id;
  };
  const publicPath = (namespace: string, id: string) => `/v1/cache/public/${tenant}/${namespace}/${id}`;
  const webhookCallWith = (key: string) =>
    eventually(() => Promise.resolve(calls.find((c) => c.surrogateKeys.includes(key))));

  beforeAll(async () => {
    webhook = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        const parsed = JSON.parse(text) as WebhookCall;
        calls.push(parsed);
        onWebhook(parsed);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const port = (webhook.address() as { port: number }).port;
    strata = await startGateway(
      { STRATA_API_KEYS: `${tenant}=${KEY}`, STRATA_CDN_PURGE_URL: `http://127.0.0.1:${port}/purge` },
      { cache: { namespaces: { faq: { public: true, defaultTtlSeconds: 600 }, support: {} } } },
    );
  }, 60_000);

  afterAll(async () => {
    await strata?.stop();
    await new Promise((resolve) => webhook?.close(resolve));
  });

  it('serves a public answer without a key, cacheable by shared caches for its remaining TTL, with a strong ETag', async () => {
    const id = await store('What are your opening hours?', 'faq', ['hours']);
    const reply = await call('GET', publicPath('faq', id));

    expect(reply.status).toBe(200);
    expect(reply.headers['cache-control']).toMatch(/^public, max-age=(\d+)$/);
    const maxAge = Number(/max-age=(\d+)/.exec(String(reply.headers['cache-control']))![1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(600);
    expect(reply.headers['etag']).toMatch(/^"[^"]+"$/);
    expect(String(reply.headers['surrogate-key']).split(' ')).toEqual(
      expect.arrayContaining([`strata:${tenant}:ns:faq`, `strata:${tenant}:entry:${id}`, `strata:${tenant}:tag:hours`]),
    );
    expect(reply.json).toMatchObject({ id, namespace: 'faq', response: { content: 'What are your opening hours?' } });
  });

  it('answers If-None-Match with 304 and the same validators, and a changed tag with the answer', async () => {
    const id = await store('Where is your shop?', 'faq');
    const first = await call('GET', publicPath('faq', id));
    const etag = String(first.headers['etag']);

    const again = await call('GET', publicPath('faq', id), undefined, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers['etag']).toBe(etag);
    expect(again.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    expect((await call('GET', publicPath('faq', id), undefined, { 'if-none-match': `W/${etag}` })).status).toBe(304);
    expect((await call('GET', publicPath('faq', id), undefined, { 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('keeps every other answer private: non-public namespaces read as 404, and the API says private, no-store', async () => {
    const id = await store('What is my order status?', 'support');
    const hidden = await call('GET', publicPath('support', id));
    expect(hidden.status).toBe(404);
    expect(hidden.headers['cache-control']).toBe('private, no-store');
    expect(hidden.json).toMatchObject({ error: { code: 'not_found' } });
    // The right id under another namespace or tenant is not there either.
    const faqId = await store('Do you sell gift cards?', 'faq');
    expect((await call('GET', publicPath('support', faqId))).status).toBe(404);
    expect((await call('GET', `/v1/cache/public/globex/faq/${faqId}`)).status).toBe(404);
    expect((await call('GET', '/v1/cache/public/x/faq/not-a-uuid')).status).toBe(404);

    const lookup = await call('POST', '/v1/cache/lookup', ask('Do you sell gift cards?', 'faq'), withKey);
    expect(lookup.json).toMatchObject({ hit: true });
    expect(lookup.headers['cache-control']).toBe('private, no-store');
    expect((await call('GET', `/v1/cache/entries/${faqId}`, undefined, withKey)).headers['cache-control']).toBe(
      'private, no-store',
    );
  });

  it('answers by question: the exact-match answer of a public namespace, with the same edge headers and 304s', async () => {
    const id = await store('When are you open on Sundays?', 'faq', ['hours']);
    const byQuestion = (q: string, namespace = 'faq', model = 'gpt-4o-mini') =>
      `/v1/cache/public/${tenant}/${namespace}?q=${encodeURIComponent(q)}&model=${encodeURIComponent(model)}`;

    const reply = await call('GET', byQuestion('When are you open on Sundays?'));
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ id, namespace: 'faq', response: { content: 'When are you open on Sundays?' } });
    expect(reply.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    expect(reply.headers['content-location']).toBe(publicPath('faq', id));
    // The same answer as its by-id address: the same bytes, validators and surrogate keys (one purge clears both).
    const byId = await call('GET', publicPath('faq', id));
    expect(reply.text).toBe(byId.text);
    expect(reply.headers['etag']).toBe(byId.headers['etag']);
    expect(reply.headers['surrogate-key']).toBe(byId.headers['surrogate-key']);
    const again = await call('GET', byQuestion('When are you open on Sundays?'), undefined, {
      'if-none-match': String(reply.headers['etag']),
    });
    expect(again.status).toBe(304);
    expect(again.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    // Whitespace the key normalises away finds the same answer.
    expect((await call('GET', byQuestion('  When are you open on Sundays?  '))).json).toMatchObject({ id });
  });

  it('answers by question only for an exact match in a public namespace, private 404 otherwise', async () => {
    await store('Can I return a gift?', 'faq');
    await store('Where is my parcel?', 'support');
    const path = (q: string, namespace = 'faq', model = 'gpt-4o-mini', who = tenant) =>
      `/v1/cache/public/${who}/${encodeURIComponent(namespace)}?q=${encodeURIComponent(q)}&model=${encodeURIComponent(model)}`;
    for (const missing of [
      path('Can I return a present?'), // a paraphrase: no semantic matching at the edge
      path('Can I return a gift?', 'faq', 'gpt-4o'), // another model
      path('Where is my parcel?', 'support'), // not a public namespace
      path('Can I return a gift?', 'faq', 'gpt-4o-mini', 'globex'), // another tenant
      path('Can I return a gift?', 'no space'), // not a namespace name
    ]) {
      const reply = await call('GET', missing);
      expect({ missing, status: reply.status }).toEqual({ missing, status: 404 });
      expect(reply.headers['cache-control']).toBe('private, no-store');
      expect(reply.json).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('answers a missing, repeated or oversized question with a 400 that names the field', async () => {
    const base = `/v1/cache/public/${tenant}/faq`;
    for (const [query, field] of [
      ['?model=gpt-4o-mini', 'q'],
      ['?q=&model=gpt-4o-mini', 'q'],
      ['?q=a&q=b&model=gpt-4o-mini', 'q'],
      [`?q=${'a'.repeat(2_049)}&model=gpt-4o-mini`, 'q'],
      ['?q=Hello', 'model'],
    ] as const) {
      const reply = await call('GET', `${base}${query}`);
      expect({ query: query.slice(0, 40), status: reply.status }).toEqual({ query: query.slice(0, 40), status: 400 });
      expect(reply.headers['cache-control']).toBe('private, no-store');
      expect(reply.json).toMatchObject({ error: { code: 'invalid_request', message: expect.stringContaining(field) } });
    }
  });

  it('calls the CDN purge webhook on purges and data-change events of public answers, and only those', async () => {
    await store('Do you ship abroad?', 'faq', ['shipping']);
    await call('POST', '/v1/cache/purge', { namespace: 'support' }, withKey);
    await call('POST', '/v1/cache/purge', { tags: ['shipping'] }, withKey);
    expect(await webhookCallWith(`strata:${tenant}:tag:shipping`)).toEqual({
      tenant,
      surrogateKeys: [`strata:${tenant}:tag:shipping`],
    });
    expect(calls.some((c) => c.surrogateKeys.includes(`strata:${tenant}:ns:support`))).toBe(false);

    const published = await call('POST', '/v1/invalidations', { namespace: 'faq' }, withKey);
    expect(published.status).toBe(202);
    await webhookCallWith(`strata:${tenant}:ns:faq`);
  });

  const varnishd = which('varnishd');
  (varnishd === undefined ? describe.skip : describe)(
    `behind Varnish${varnishd === undefined ? ' (skipped: varnishd is not installed; .ci/run installs it)' : ''}`,
    () => {
      let varnish: ChildProcess;
      let workDir: string;
      let edge: string;
      const admin = (...args: string[]) => execFileSync('varnishadm', ['-n', workDir, ...args], { encoding: 'utf8' });
      const cacheOf = (reply: RawReply) => reply.headers['x-cache'];

      beforeAll(async () => {
        workDir = mkdtempSync(join(tmpdir(), 'strata-varnish-'));
        // Varnish's worker runs as its own unprivileged user: it must be able to enter the directory.
        chmodSync(workDir, 0o755);
        const backend = new URL(strata.url);
        writeFileSync(
          join(workDir, 'strata.vcl'),
          `vcl 4.1;
backend strata { .host = "${backend.hostname}"; .port = "${backend.port}"; }
sub vcl_deliver { if (obj.hits > 0) { set resp.http.X-Cache = "HIT"; } else { set resp.http.X-Cache = "MISS"; } }
`,
        );
        varnish = spawn(
          'varnishd',
          [
            '-F',
            '-n',
            workDir,
            '-a',
            '127.0.0.1:0',
            '-T',
            '127.0.0.1:0',
            '-f',
            join(workDir, 'strata.vcl'),
            '-s',
            'malloc,32m',
          ],
          { stdio: 'ignore' },
        );
        const address = await eventually(() => {
          try {
            const [, host, port] = admin('debug.listen_address').trim().split(/\s+/);
            return Promise.resolve(port === undefined ? undefined : `http://${host}:${port}`);
          } catch {
            return Promise.resolve(undefined);
          }
        }, 20_000);
        edge = address;
        // The CDN side of the webhook: ban every object carrying a purged surrogate key.
        onWebhook = (purge) => {
          for (const key of purge.surrogateKeys) {
            // One varnishadm argument per word, and no backslashes (the CLI unescapes them): classes instead.
            const literal = key.replace(/[.*+?^${}()|]/g, '[$&]');
            const regex = `(^|[[:space:]])${literal}([[:space:]]|$)`;
            admin('ban', 'obj.http.Surrogate-Key', '~', regex);
          }
        };
      }, 30_000);

      afterAll(() => {
        onWebhook = () => undefined;
        varnish?.kill();
        rmSync(workDir, { recursive: true, force: true });
      });

      it('keeps public answers and revalidates them by ETag; never keeps private ones', async () => {
        const id = await store('Can I pay by card?', 'faq', ['payment']);
        expect(cacheOf(await call('GET', publicPath('faq', id), undefined, {}, edge))).toBe('MISS');
        const hit = await call('GET', publicPath('faq', id), undefined, {}, edge);
        expect(cacheOf(hit)).toBe('HIT');
        expect(hit.json).toMatchObject({ id, response: { content: 'Can I pay by card?' } });
        const conditional = await call(
          'GET',
          publicPath('faq', id),
          undefined,
          { 'if-none-match': String(hit.headers['etag']) },
          edge,
        );
        expect(conditional.status).toBe(304);

        const privateId = await store('Where is my parcel?', 'support');
        for (let i = 0; i < 2; i++) {
          expect(cacheOf(await call('GET', publicPath('support', privateId), undefined, {}, edge))).toBe('MISS');
          expect(cacheOf(await call('GET', `/v1/cache/entries/${privateId}`, undefined, withKey, edge))).toBe('MISS');
        }
      });

      it('drops a public answer from the edge when it is purged (webhook → ban by surrogate key)', async () => {
        const id = await store('Do you have a loyalty program?', 'faq', ['loyalty']);
        await call('GET', publicPath('faq', id), undefined, {}, edge);
        expect(cacheOf(await call('GET', publicPath('faq', id), undefined, {}, edge))).toBe('HIT');

        await call('POST', '/v1/cache/purge', { tags: ['loyalty'] }, withKey);
        await webhookCallWith(`strata:${tenant}:tag:loyalty`);

        const after = await eventually(async () => {
          const reply = await call('GET', publicPath('faq', id), undefined, {}, edge);
          return reply.status === 404 ? reply : undefined;
        });
        expect(after.headers['cache-control']).toBe('private, no-store');
      });

      it('keeps an answer by question at the edge too, and drops it when the answer is purged', async () => {
        await store('Do you deliver on Saturdays?', 'faq', ['delivery']);
        const path = `/v1/cache/public/${tenant}/faq?q=${encodeURIComponent('Do you deliver on Saturdays?')}&model=gpt-4o-mini`;
        expect(cacheOf(await call('GET', path, undefined, {}, edge))).toBe('MISS');
        const hit = await call('GET', path, undefined, {}, edge);
        expect(cacheOf(hit)).toBe('HIT');
        expect(hit.json).toMatchObject({ response: { content: 'Do you deliver on Saturdays?' } });

        await call('POST', '/v1/cache/purge', { tags: ['delivery'] }, withKey);
        await webhookCallWith(`strata:${tenant}:tag:delivery`);
        await eventually(async () => {
          const reply = await call('GET', path, undefined, {}, edge);
          return reply.status === 404 ? reply : undefined;
        });
      });
    },
  );
});
