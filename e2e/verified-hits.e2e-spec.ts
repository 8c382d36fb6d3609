import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StrataProcess, http, startStrataProcess } from './support/strata-process';

/** An OpenAI-compatible judge on 127.0.0.1:0 that says yes to every pairing (100 + 5 tokens each) and counts the questions. */
async function startYesJudge(): Promise<{ url: string; calls: () => number; stop: () => Promise<void> }> {
  let calls = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      calls += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          choices: [{ message: { content: '{"same": true}' } }],
          usage: { prompt_tokens: 100, completion_tokens: 5, total_tokens: 105 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    calls: () => calls,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Verified semantic hits in the embedded default, over HTTP: feedback by request id, by entry id and by header;
 * a blocked pairing never hits again; tenants reach their own entries only; a judge decides the borderline band.
 */
describe('verified semantic hits (embedded, end to end)', () => {
  let strata: StrataProcess;
  let judge: Awaited<ReturnType<typeof startYesJudge>>;
  let dir: string;
  const ACME = 'acme-key-1';
  const GLOBEX = 'globex-key-1';
  const OPS = 'ops-admin-key-1';

  const ask = (content: string, namespace?: string) => ({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are the support assistant of a shoe shop.' },
      { role: 'user', content },
    ],
    params: { temperature: 0 },
    ...(namespace === undefined ? {} : { namespace }),
  });
  const lookup = (body: unknown, apiKey = ACME, headers: Record<string, string> = {}) =>
    http(strata.url, 'POST', '/v1/cache/lookup', { body, apiKey, headers });
  const store = (body: unknown) => http(strata.url, 'POST', '/v1/cache/entries', { body, apiKey: ACME });
  const feedback = (body: unknown, apiKey = ACME) => http(strata.url, 'POST', '/v1/cache/feedback', { body, apiKey });

  beforeAll(async () => {
    judge = await startYesJudge();
    dir = mkdtempSync(join(tmpdir(), 'strata-verified-'));
    const config = join(dir, 'strata.json');
    // "judged": every paraphrase falls below the namespace threshold, into the band the judge decides.
    writeFileSync(
      config,
      JSON.stringify({
        cache: {
          namespaces: {
            judged: { similarityThreshold: 0.999, verification: { judge: 'inline' } },
            // A wrong-hit target: nothing is served on similarity alone until the judge's verdicts prove its band.
            bounded: { verification: { judge: 'inline', maxWrongHitRate: 0.02 } },
          },
        },
      }),
    );
    strata = await startStrataProcess('dist/apps/gateway/src/main.js', {
      STRATA_API_KEYS: `acme=${ACME},globex=${GLOBEX}`,
      STRATA_ADMIN_KEYS: OPS,
      STRATA_HIT_FEEDBACK: 'true',
      STRATA_FEEDBACK_WRONGS_TO_PURGE: '2',
      STRATA_VERIFIER_URL: judge.url,
      STRATA_VERIFIER_LOWER_BOUND: '0.5',
      STRATA_VERIFIER_TIMEOUT_MS: '2000',
      STRATA_CONFIG: config,
      STRATA_PRICES: 'gpt-4o-mini=0.15:0.6',
      // A paraphrase's first embedding can take longer than the default 50 ms on a busy machine: these tests are
      // about verdicts, not about the lookup's deadline.
      STRATA_CACHE_TIMEOUT_MS: '2000',
    });
  });

  afterAll(async () => {
    expect(await strata.stop()).toBe(0);
    await judge.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('blocks a paraphrase called wrong by its request id: it never hits again, the stored question still does', async () => {
    const stored = await store({ ...ask('How long do I have to return shoes?'), response: { answer: '30 days' } });
    expect(stored.status).toBe(201);
    const paraphrase = ask('how long do i have to return my shoes');
    const hit = await lookup(paraphrase, ACME, { 'x-request-id': 'req-paraphrase-1' });
    expect(hit.body).toMatchObject({ hit: true, tier: 'l3', id: stored.body.id });
    // Served again from L1 (the hit was remembered under the paraphrase's key) until the verdict.
    expect((await lookup(paraphrase)).body).toMatchObject({ hit: true, id: stored.body.id });

    const verdict = await feedback({ requestId: 'req-paraphrase-1', verdict: 'wrong' });
    expect(verdict.status).toBe(200);
    expect(verdict.body).toMatchObject({ entryId: stored.body.id, action: 'blocked', wrong: 1 });

    for (let i = 0; i < 3; i++) expect((await lookup(paraphrase)).body).toMatchObject({ hit: false, status: 'miss' });
    expect((await lookup(ask('How long do I have to return shoes?'))).body).toMatchObject({
      hit: true,
      id: stored.body.id,
    });
  });

  it('purges an entry after repeated wrong verdicts, and at once when an exact answer is wrong', async () => {
    const stored = await store({ ...ask('Do you ship to Canada?'), response: { answer: 'yes' } });
    const first = await feedback({ entryId: stored.body.id, verdict: 'wrong', query: ask('do you ship to canada') });
    expect(first.body).toMatchObject({ action: 'blocked', wrong: 1 });
    const second = await feedback({ entryId: stored.body.id, verdict: 'wrong', query: ask('do you ship to Canada ?') });
    expect(second.body).toMatchObject({ action: 'purged', wrong: 2 });
    expect((await lookup(ask('Do you ship to Canada?'))).body).toMatchObject({ hit: false });

    const exact = await store({ ...ask('Do you sell socks?'), response: { answer: 'no' } });
    const wrong = await feedback({ entryId: exact.body.id, verdict: 'wrong', query: ask('Do you sell socks?') });
    expect(wrong.body).toMatchObject({ action: 'purged' });
    expect((await lookup(ask('Do you sell socks?'))).body).toMatchObject({ hit: false });
  });

  it("lets a tenant judge only its own entries: another tenant's id is a 404 and changes nothing", async () => {
    const stored = await store({ ...ask('What sizes do you carry?'), response: { answer: '36-47' } });

    const other = await feedback({ entryId: stored.body.id, verdict: 'wrong' }, GLOBEX);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
    expect((await feedback({ requestId: 'req-paraphrase-1', verdict: 'wrong' }, GLOBEX)).status).toBe(404);
    expect((await lookup(ask('What sizes do you carry?'))).body).toMatchObject({ hit: true, id: stored.body.id });
  });

  it('counts right', async () => {
    const stored = await store({ ...ask('Are your shoes vegan?'), response: { answer: 'some' } });
    const right = await feedback({ entryId: stored.body.id, verdict: 'right', query: ask('are your shoes vegan') });
    expect(right.body).toMatchObject({ action: 'counted', right: 1, wrong: 0 });
  });

  it.each([
    ['no target', { verdict: 'wrong' }],
    ['both targets', { verdict: 'wrong', entryId: '3b0c6f1e-8d0a-4f61-9a55-0d1f7b2c9e10', requestId: 'r' }],
    ['an unknown verdict', { verdict: 'meh', requestId: 'r' }],
    ['an entry id that is no UUID', { verdict: 'wrong', entryId: '42' }],
  ])('answers 400 invalid_request for a body with %s', async (_, body) => {
    const res = await feedback(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
  });

  it('takes the header form on a later request: malformed is a 400, an unknown target is reported, not fatal', async () => {
    const malformed = await lookup(ask('anything'), ACME, { 'x-strata-feedback': 'wrong' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_request');

    const unknown = await lookup(ask('anything'), ACME, {
      'x-strata-feedback': 'wrong; entry=3b0c6f1e-8d0a-4f61-9a55-0d1f7b2c9e10',
    });
    expect(unknown.status).toBe(200);
    expect(unknown.headers.get('x-strata-feedback')).toBe('not-found');

    const stored = await store({ ...ask('Can I pay by invoice?'), response: { answer: 'yes' } });
    const paraphrase = ask('can i pay by an invoice');
    expect((await lookup(paraphrase, ACME, { 'x-request-id': 'req-invoice' })).body).toMatchObject({ hit: true });
    const blocked = await lookup(paraphrase, ACME, { 'x-strata-feedback': 'wrong; request=req-invoice' });
    expect(blocked.headers.get('x-strata-feedback')).toBe('blocked');
    expect(blocked.body).toMatchObject({ hit: false });
    expect(stored.status).toBe(201);
  });

  it('serves a borderline paraphrase the judge confirms, marked verified', async () => {
    await store({ ...ask('How long does delivery take?', 'judged'), response: { answer: '2 days' } });

    const hit = await lookup(ask('How long will delivery take?', 'judged'));
    expect(hit.body).toMatchObject({ hit: true, tier: 'l3', verified: true, response: { answer: '2 days' } });
    expect(judge.calls()).toBeGreaterThanOrEqual(1);
  });

  it("shows an operator the cache service's judge calls and verified hits in /v1/cache/stats", async () => {
    const stats = await http(strata.url, 'GET', '/v1/cache/stats', { apiKey: OPS });
    expect(stats.status).toBe(200);
    expect(stats.body.verification).toMatchObject({ judgeCalls: judge.calls(), verifiedHits: 1 });
  });

  it("shows the judge's calls, tokens and their cost beside the money saved, to the operator and to the tenant", async () => {
    const calls = judge.calls();
    const cost = { calls, inputTokens: 100 * calls, outputTokens: 5 * calls };
    const usd = calls * ((100 * 0.15 + 5 * 0.6) / 1e6);
    const ops = await http(strata.url, 'GET', '/v1/cache/stats', { apiKey: OPS });
    expect(ops.body.saved).toBeDefined();
    expect(ops.body.judge).toMatchObject({ model: 'gpt-4o-mini', ...cost });
    expect(ops.body.judge.usd).toBeCloseTo(usd, 9);
    expect(ops.body.judge.byNamespace['acme/judged']).toMatchObject(cost);

    const mine = await http(strata.url, 'GET', '/v1/cache/stats', { apiKey: ACME });
    expect(mine.body.judge).toMatchObject(cost);
    expect(mine.body.judge.usd).toBeCloseTo(usd, 9);
    expect(Object.keys(mine.body.judge.byNamespace)).toEqual(['judged']);
    const theirs = await http(strata.url, 'GET', '/v1/cache/stats', { apiKey: GLOBEX });
    expect(theirs.body.judge).toMatchObject({ calls: 0, usd: 0, byNamespace: {} });
  });

  it("counts the judge's cost in USD in /metrics, per tenant and namespace, at its model's configured price", async () => {
    const calls = judge.calls();
    const metrics = await http(strata.url, 'GET', '/metrics', { apiKey: OPS });
    expect(metrics.status).toBe(200);
    const line = String(metrics.body)
      .split('\n')
      .find((l) => l.startsWith('strata_judge_cost_usd_total{') && l.includes('tenant="acme"'));
    expect(line).toContain('namespace="judged"');
    expect(Number(line?.split(' ').at(-1))).toBeCloseTo(calls * ((100 * 0.15 + 5 * 0.6) / 1e6), 9);
    expect(String(metrics.body)).toContain('strata_cost_saved_usd_total');
  });

  it('serves a paraphrase over the threshold only once the judge said yes, when the namespace has a wrong-hit target', async () => {
    await store({ ...ask('How long do I have to return shoes?', 'bounded'), response: { answer: '30 days' } });
    const before = judge.calls();

    // The same paraphrase hits on similarity alone in the default namespace (first test); here the judge decides.
    const hit = await lookup(ask('how long do i have to return my shoes', 'bounded'));
    expect(hit.body).toMatchObject({ hit: true, tier: 'l3', verified: true, response: { answer: '30 days' } });
    expect(judge.calls()).toBe(before + 1);
  });

  it("shows an operator the namespace's similarity bands: the judge's yes counted, no band proved yet", async () => {
    const stats = await http(strata.url, 'GET', '/v1/cache/stats', { apiKey: OPS });
    const bounded = stats.body.verification?.bands?.['acme/bounded'] as
      | { target: number; bands: { from: number; judged: number; wrong: number; upperBound: number; open: boolean }[] }
      | undefined;
    expect(bounded?.target).toBe(0.02);
    expect(bounded?.bands).toEqual([expect.objectContaining({ judged: 1, wrong: 0, open: false })]);
    // One verdict bounds nothing: 133 clean ones open a band (docs/verified-hits.md).
    expect(bounded?.bands[0]?.upperBound).toBeGreaterThan(0.5);
    // Namespaces without a target have no bands.
    expect(stats.body.verification?.bands?.['acme/judged']).toBeUndefined();
  });
});
