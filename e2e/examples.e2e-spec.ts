import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeUpstream } from '@strata/testing';
import { eventually } from './support/eventually';
import { type StrataProcess, http, startStrataProcess } from './support/strata-process';

const ROOT = join(__dirname, '..');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs an example as a user would, with only STRATA_URL (and PATH) in its environment. */
function run(command: string, args: readonly string[], url: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', STRATA_URL: url }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
      },
    );
  });
}

/**
 * A virtual environment with the official `openai` Python package, installed by pip as a user would (through
 * whatever index pip is configured with); Python 3 with its `venv` module must be on the PATH.
 */
async function pythonWithOpenAI(dir: string): Promise<string> {
  const python = join(dir, 'bin', 'python');
  const steps: [string, string[]][] = [
    ['python3', ['-m', 'venv', dir]],
    [python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--retries', '1', 'openai']],
  ];
  for (const [command, args] of steps) {
    await new Promise<void>((resolve, reject) => {
      execFile(command, args, { timeout: 90_000 }, (error, _stdout, stderr) =>
        error === null ? resolve() : reject(new Error(`${command} ${args.join(' ')}: ${stderr}`)),
      );
    });
  }
  return python;
}

/** Every example in examples/ runs against the embedded server, with a fake LLM upstream behind it. */
describe('examples (end to end)', () => {
  let fake: FakeUpstream;
  let strata: StrataProcess;

  beforeAll(async () => {
    fake = await FakeUpstream.start();
    strata = await startStrataProcess('dist/apps/gateway/src/main.js', {
      UPSTREAM_URL: fake.url,
      ANTHROPIC_UPSTREAM_URL: fake.url,
      STRATA_CACHE_TIMEOUT_MS: '2000',
    });
    // The first embedding loads the local model.
    await eventually(
      async () =>
        (await http(strata.url, 'POST', '/v1/embeddings', { body: { model: 'use-lite', input: ['warm up'] } }))
          .status === 200,
      60_000,
      200,
    );
  });

  afterAll(async () => {
    await strata?.stop();
    await fake?.stop();
  });

  it('openai-node/chat.mjs: the first call is answered upstream, the second from the cache, tagged', async () => {
    const result = await run(process.execPath, ['examples/openai-node/chat.mjs'], strata.url);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [first, second] = result.stdout.trim().split('\n');
    expect(first).toMatch(/^first call: MISS in [\d.]+ ms: Answer #\d+ to: How long do I have to return shoes\?$/);
    expect(second).toMatch(/^second call: HIT \(l1\) in [\d.]+ ms: /);
    expect(second.split(' ms: ')[1]).toBe(first.split(' ms: ')[1]);
    expect(fake.chatCalls('How long do I have to return shoes?')).toHaveLength(1);
    // Stored with the example's X-Strata-Tags.
    expect(
      (await http(strata.url, 'POST', '/v1/cache/purge', { body: { tags: ['doc:returns-policy'] } })).body.purged.l2,
    ).toBeGreaterThanOrEqual(1);
  });

  it('openai-node/streaming.mjs: a streamed miss is stored and replayed as a stream', async () => {
    const result = await run(process.execPath, ['examples/openai-node/streaming.mjs'], strata.url);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [first, second] = result.stdout.trim().split('\n');
    expect(first).toMatch(
      /^first stream: MISS: Answer #\d+ to: Which shoes are good for running on trails\? \[\d+ chunks\]$/,
    );
    expect(second).toBe(first.replace('first stream: MISS', 'second stream: HIT'));
    expect(fake.chatCalls('Which shoes are good for running on trails?')).toHaveLength(1);
  });

  it('anthropic-node/messages.mjs: the first call is answered upstream, the second from the cache, tagged', async () => {
    const result = await run(process.execPath, ['examples/anthropic-node/messages.mjs'], strata.url);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [first, second] = result.stdout.trim().split('\n');
    expect(first).toMatch(/^first call: MISS in [\d.]+ ms: Answer #\d+ to: How long does shipping to Austria take\?$/);
    expect(second).toMatch(/^second call: HIT \(l1\) in [\d.]+ ms: /);
    expect(second.split(' ms: ')[1]).toBe(first.split(' ms: ')[1]);
    expect(fake.messageCalls('How long does shipping to Austria take?')).toHaveLength(1);
    expect(fake.chatCalls('How long does shipping to Austria take?')).toHaveLength(0);
    expect(
      (await http(strata.url, 'POST', '/v1/cache/purge', { body: { tags: ['doc:shipping-policy'] } })).body.purged.l2,
    ).toBeGreaterThanOrEqual(1);
  });

  it('langchain/chat.mjs: ChatOpenAI through Strata, the second call from the cache, tagged', async () => {
    const result = await run(process.execPath, ['examples/langchain/chat.mjs'], strata.url);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [first, second] = result.stdout.trim().split('\n');
    expect(first).toMatch(/^first call: MISS in [\d.]+ ms: Answer #\d+ to: How do I clean suede shoes\?$/);
    expect(second).toMatch(/^second call: HIT \(l1\) in [\d.]+ ms: /);
    expect(second.split(' ms: ')[1]).toBe(first.split(' ms: ')[1]);
    expect(fake.chatCalls('How do I clean suede shoes?')).toHaveLength(1);
    expect(
      (await http(strata.url, 'POST', '/v1/cache/purge', { body: { tags: ['doc:care-guide'] } })).body.purged.l2,
    ).toBeGreaterThanOrEqual(1);
  });

  it('python/chat.py: the openai Python package through Strata, the second call from the cache, tagged', async () => {
    const venv = mkdtempSync(join(tmpdir(), 'strata-examples-python-'));
    try {
      const result = await run(await pythonWithOpenAI(venv), ['examples/python/chat.py'], strata.url);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const [first, second] = result.stdout.trim().split('\n');
      expect(first).toMatch(/^first call: MISS in [\d.]+ ms: Answer #\d+ to: Do your sneakers run small\?$/);
      expect(second).toMatch(/^second call: HIT \(l1\) in [\d.]+ ms: /);
      expect(second.split(' ms: ')[1]).toBe(first.split(' ms: ')[1]);
      expect(fake.chatCalls('Do your sneakers run small?')).toHaveLength(1);
      expect(
        (await http(strata.url, 'POST', '/v1/cache/purge', { body: { tags: ['doc:sizing-guide'] } })).body.purged.l2,
      ).toBeGreaterThanOrEqual(1);
    } finally {
      rmSync(venv, { recursive: true, force: true });
    }
  });

  it('curl/cache-api.sh: store, lookup, purge, data-change event, stats', async () => {
    const result = await run('bash', ['examples/curl/cache-api.sh'], strata.url);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const sections = Object.fromEntries(
      result.stdout
        .split(/^## /m)
        .filter(Boolean)
        .map((section) => {
          const [title, ...body] = section.trim().split('\n');
          return [title.split(':')[0], body.join('\n')];
        }),
    );
    expect(sections['store an answer, tagged with the document it comes from']).toMatch(
      /"tiers":\{"l1":true,"l2":true,"l3":true\}/,
    );
    expect(sections['look it up']).toContain('"hit":true');
    expect(sections['a paraphrase of the question']).toMatch(/"hit":true,"status":"hit","tier":"l3"/);
    // The entry, and the copy the paraphrase's L3 hit backfilled under its own key.
    expect(sections['the returns policy changed']).toMatch(/"purged":\{"l1":2,"l2":2,"l3":1\}/);
    expect(sections['the same lookup now misses']).toContain('"hit":false');
    expect(
      sections['store it again, then publish a data-change event (what your producers send on strata.data-changes.v1)'],
    ).toContain('"status":"published"');
    expect(sections['the invalidation service purges it from every tier within moments']).toContain('"hit":false');
    expect(JSON.parse(sections['statistics'])).toMatchObject({ lookups: expect.any(Number) });
  });
});
