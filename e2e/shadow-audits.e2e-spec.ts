import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeUpstream } from '@strata/testing';
import { eventually } from './support/eventually';
import { type StrataProcess, http, startStrataProcess } from './support/strata-process';

/**
 * Shadow audits in the embedded default, over HTTP: a namespace with `verification.audit: shadow` and `auditShare: 1`
 * has every semantic hit the proxy serves asked of the upstream again in the background; a fresh answer that differs
 * fails the audit (the pairing stops hitting), an identical one passes, and both count in /v1/cache/stats.
 */
describe('shadow audits (embedded, end to end)', () => {
  let fake: FakeUpstream;
  let strata: StrataProcess;
  let dir: string;
  const ACME = 'acme-key-1';
  const OPS = 'ops-admin-key-1';
  const headers = { 'x-strata-namespace': 'audited' };

  const ask = (content: string) => ({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are the support assistant of a shoe shop.' },
      { role: 'user', content },
    ],
    temperature: 0,
  });
  const chat = (content: string) =>
    http(strata.url, 'POST', '/v1/chat/completions', { body: ask(content), apiKey: ACME, headers });
  const audits = async () => {
    const stats = await http(strata.url, 'GET', '/v1/cache/stats', { apiKey: OPS });
    return (stats.body.verification?.namespaces?.['acme/audited'] ?? { audited: 0, failed: 0 }) as {
      audited: number;
      failed: number;
    };
  };
  const outcome = async (name: string) => {
    const res = await http(strata.url, 'GET', '/metrics', { apiKey: OPS });
    const line = new RegExp(`strata_shadow_audits_total\\{outcome="${name}"\\} (\\d+)`).exec(res.body as string);
    return Number(line?.[1] ?? 0);
  };
  /** The question's answer stored (the store is queued after the reply), then its paraphrase asked: a semantic hit. */
  const storedThenHit = async (question: string, paraphrase: string) => {
    expect((await chat(question)).headers.get('x-strata-cache')).toBe('MISS');
    const { model, messages, temperature } = ask(question);
    await eventually(async () => {
      const res = await http(strata.url, 'POST', '/v1/cache/lookup', {
        apiKey: ACME,
        body: { namespace: 'audited', model, messages, params: { temperature }, mode: 'exact' },
      });
      return res.body.hit === true;
    });
    // The same question again: an exact hit, which is never audited (the assertions count the upstream's calls).
    expect((await chat(question)).headers.get('x-strata-cache')).toBe('HIT');
    const hit = await chat(paraphrase);
    expect(hit.headers.get('x-strata-cache')).toBe('HIT');
    return hit;
  };

  beforeAll(async () => {
    fake = await FakeUpstream.start();
    dir = mkdtempSync(join(tmpdir(), 'strata-shadow-'));
    const config = join(dir, 'strata.json');
    writeFileSync(
      config,
      JSON.stringify({
        cache: { namespaces: { audited: { verification: { audit: 'shadow', auditShare: 1 } } } },
      }),
    );
    strata = await startStrataProcess('dist/apps/gateway/src/main.js', {
      STRATA_API_KEYS: `acme=${ACME}`,
      STRATA_ADMIN_KEYS: OPS,
      STRATA_HIT_FEEDBACK: 'true',
      STRATA_CONFIG: config,
      UPSTREAM_URL: fake.url,
      UPSTREAM_API_KEY: 'sk-upstream',
      // Differing answers must be near-identical in meaning to agree: these two are not.
      STRATA_SHADOW_AUDIT_AGREEMENT: '0.99',
      STRATA_SHADOW_AUDITS_PER_SECOND: '100',
      STRATA_CACHE_TIMEOUT_MS: '2000',
    });
  });

  afterAll(async () => {
    expect(await strata.stop()).toBe(0);
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the audit of a paraphrase hit whose fresh answer differs (an exact hit is never audited): the pairing stops hitting', async () => {
    fake.rule({ match: 'How long do I have to return shoes?', content: 'You have 30 days to return shoes.' });
    fake.rule({ match: 'return my shoes', content: 'Our stores open at nine in the morning every day.' });

    const hit = await storedThenHit('How long do I have to return shoes?', 'how long do i have to return my shoes');
    expect(hit.body.choices[0].message.content).toBe('You have 30 days to return shoes.');

    // The shadow call asked the upstream the paraphrase once more, after the reply.
    await eventually(async () => (await audits()).failed === 1);
    expect(fake.chatCalls('return my shoes')).toHaveLength(1);
    expect(fake.chatCalls('How long do I have to return shoes?')).toHaveLength(1);
    expect(await outcome('fail')).toBe(1);
    const again = await chat('how long do i have to return my shoes');
    expect(again.headers.get('x-strata-cache')).toBe('MISS');
    expect(again.body.choices[0].message.content).toBe('Our stores open at nine in the morning every day.');
  });

  it('passes the audit of a paraphrase hit whose fresh answer is the same, and keeps serving it', async () => {
    const answer = 'They come in black, white and red.';
    fake.rule({ match: 'Which colours do the running shoes come in?', content: answer });
    fake.rule({ match: 'my running shoes', content: `  ${answer.toUpperCase()} ` });
    const before = await audits();

    await storedThenHit('Which colours do the running shoes come in?', 'which colours do my running shoes come in');

    await eventually(async () => (await audits()).audited === before.audited + 1);
    expect((await audits()).failed).toBe(before.failed);
    expect(await outcome('pass')).toBe(1);
    expect(fake.chatCalls('Which colours do the running shoes come in?')).toHaveLength(1);
    expect((await chat('which colours do my running shoes come in')).headers.get('x-strata-cache')).toBe('HIT');
  });
});
