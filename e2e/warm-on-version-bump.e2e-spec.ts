import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeUpstream } from '@strata/testing';
import { eventually } from './support/eventually';
import { type JsonResponse, type StrataProcess, http, startStrataProcess } from './support/strata-process';

const GATEWAY = 'dist/apps/gateway/src/main.js';

/**
 * Warm-on-version-bump against the built embedded server with Redis (entries, popularity and the recordings outlive
 * the restart): questions asked at version 1, the most hit ones re-asked upstream in the background when the server
 * comes back at version 2, then served from the cache under version 2.
 */
describe('warm-on-version-bump (end to end)', () => {
  // A tenant and namespace of this run only: the Redis is shared with other runs.
  const run = randomUUID().slice(0, 8);
  const KEY = `warm-key-${run}`;
  const OPS = `warm-ops-${run}`;
  const NAMESPACE = `faq-${run}`;
  let fake: FakeUpstream;
  let strata: StrataProcess | undefined;
  let configDir: string;

  const start = (version: number) => {
    const configFile = join(configDir, `strata-v${version}.json`);
    writeFileSync(
      configFile,
      JSON.stringify({
        cache: { namespaces: { [NAMESPACE]: { version, warmOnVersionBump: { top: 2, ratePerSecond: 20 } } } },
      }),
    );
    return startStrataProcess(GATEWAY, {
      STRATA_CONFIG: configFile,
      STRATA_API_KEYS: `warm${run}=${KEY}`,
      STRATA_ADMIN_KEYS: OPS,
      UPSTREAM_URL: fake.url,
      UPSTREAM_API_KEY: 'sk-upstream-test',
      REDIS_URL: 'redis://127.0.0.1:6379',
      STRATA_POPULARITY_FLUSH_MS: '100',
      STRATA_CACHE_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'info',
      STRATA_LOG_FORMAT: 'json',
    });
  };
  const body = (question: string) => ({
    model: 'gpt-test-warm',
    messages: [{ role: 'user', content: question }],
    temperature: 0,
  });
  const chat = (question: string) =>
    http(strata?.url ?? '', 'POST', '/v1/chat/completions', {
      apiKey: KEY,
      body: body(question),
      headers: { 'x-strata-namespace': NAMESPACE },
    });
  const upstreamAsked = (question: string) =>
    fake.requests.filter(
      (r) => r.path.endsWith('/chat/completions') && JSON.stringify(r.body).includes(JSON.stringify(question)),
    ).length;
  const QUESTIONS = ['what is the refund window?', 'how do I reset my password?', 'do you ship abroad?'];

  beforeAll(async () => {
    fake = await FakeUpstream.start();
    configDir = mkdtempSync(join(tmpdir(), 'strata-warm-e2e-'));
  });
  afterAll(async () => {
    await strata?.stop();
    await fake.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('re-asks the most hit questions of version 1 when restarted at version 2, then serves them as hits', async () => {
    strata = await start(1);
    for (const question of QUESTIONS) {
      const res = await chat(question);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-strata-cache')).toBe('MISS');
    }
    // Stored, then hit: the first question three times, the second twice, the third never.
    await eventually(async () => (await chat(QUESTIONS[0] ?? '')).headers.get('x-strata-cache') === 'HIT');
    await eventually(async () => (await chat(QUESTIONS[1] ?? '')).headers.get('x-strata-cache') === 'HIT');
    for (const question of [QUESTIONS[0], QUESTIONS[0], QUESTIONS[1]])
      expect((await chat(question ?? '')).headers.get('x-strata-cache')).toBe('HIT');
    await eventually(async () => {
      const listed = await http(strata?.url ?? '', 'GET', `/v1/cache/entries?namespace=${NAMESPACE}&sort=hits`, {
        apiKey: KEY,
      });
      const hits = (listed.body.entries as { query: string; hits: number }[]).map((e) => e.hits);
      return hits[0] === 3 && hits[1] === 2;
    });
    expect(QUESTIONS.map(upstreamAsked)).toEqual([1, 1, 1]);
    expect(await strata.stop()).toBe(0);

    strata = await start(2);
    // The two most hit (top: 2) go upstream again, in the background; the third does not.
    await eventually(() => upstreamAsked(QUESTIONS[0] ?? '') === 2 && upstreamAsked(QUESTIONS[1] ?? '') === 2).catch(
      (error: unknown) => {
        throw new Error(
          `${String(error)}; upstream asked ${JSON.stringify(QUESTIONS.map(upstreamAsked))}; gateway said:\n${strata?.output() ?? ''}`,
        );
      },
    );
    await eventually(async () => {
      const metrics = await http(strata?.url ?? '', 'GET', '/metrics', { apiKey: OPS });
      return /strata_warm_requests_total\{outcome="warmed"\} 2\b/.test(metrics.body as string);
    });
    expect(strata.output()).toContain('warmed a namespace version bump');
    const stats = await http(strata.url, 'GET', '/v1/cache/stats', { apiKey: KEY });
    expect(stats.body.warming).toEqual([
      expect.objectContaining({ namespace: NAMESPACE, fromVersion: 1, toVersion: 2, total: 2, warmed: 2, done: true }),
    ]);
    const warmed: JsonResponse[] = [];
    await eventually(async () => {
      const res = await chat(QUESTIONS[0] ?? '');
      if (res.headers.get('x-strata-cache') === 'HIT') warmed.push(res);
      return warmed.length > 0;
    });
    expect(warmed[0]?.body.choices[0].message.content).toEqual(expect.any(String));
    expect((await chat(QUESTIONS[1] ?? '')).headers.get('x-strata-cache')).toBe('HIT');
    expect(upstreamAsked(QUESTIONS[0] ?? '')).toBe(2);
    // Not among the top two: version 2 has never seen it.
    expect((await chat(QUESTIONS[2] ?? '')).headers.get('x-strata-cache')).toBe('MISS');
    expect(upstreamAsked(QUESTIONS[2] ?? '')).toBe(2);

    // Another restart at the same version warms nothing again.
    expect(await strata.stop()).toBe(0);
    strata = await start(2);
    await eventually(async () => (await chat(QUESTIONS[0] ?? '')).headers.get('x-strata-cache') === 'HIT');
    expect(upstreamAsked(QUESTIONS[0] ?? '')).toBe(2);
  });
});
