import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeUpstream } from '@strata/testing';
import { eventually } from './support/eventually';
import { type CliRun, type ServedStrata, runCli, startCli, startServe } from './support/run-cli';
import { http } from './support/strata-process';

/**
 * The `strata` CLI as users run it: `strata serve` (the embedded server) as one process, every other
 * command as its own process against it, with the fake upstream behind the proxy.
 */
describe('strata CLI (end to end)', () => {
  const MODEL = 'gpt-cli-test';
  const KEY = 'acme-cli-key';
  let fake: FakeUpstream;
  let strata: ServedStrata;
  let dir: string;

  const cli = (...args: string[]): Promise<CliRun> => runCli(['--url', strata.url, ...args], { STRATA_KEY: KEY });
  const question = (content: string, system = 'You are the support bot of a shoe shop.') => ({
    model: MODEL,
    messages: [
      { role: 'system', content: system },
      { role: 'user', content },
    ],
    params: { temperature: 0 },
  });
  const store = async (content: string, tags: string[]) => {
    const res = await http(strata.url, 'POST', '/v1/cache/entries', {
      apiKey: KEY,
      body: { ...question(content), response: { answer: `about ${content}` }, tags },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  /** A port nothing listens on. */
  const closedPort = async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  };

  beforeAll(async () => {
    fake = await FakeUpstream.start();
    dir = mkdtempSync(join(tmpdir(), 'strata-cli-e2e-'));
    strata = await startServe({
      UPSTREAM_URL: fake.url,
      STRATA_CACHE_TIMEOUT_MS: '2000',
      STRATA_API_KEYS: `acme=${KEY}`,
      // With Strata keys, the upstream key is Strata's own (clients authenticate to Strata).
      UPSTREAM_API_KEY: 'upstream-key',
    });
    // The first embedding loads the local model: before anything is timed.
    await eventually(
      async () =>
        (
          await http(strata.url, 'POST', '/v1/embeddings', {
            apiKey: KEY,
            body: { model: 'use-lite', input: ['warm up'] },
          })
        ).status === 200,
      60_000,
      200,
    );
  });

  afterAll(async () => {
    await strata?.stop();
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('the cache-as-a-service commands', () => {
    it('looks up: exit 4 on a miss, 0 with the stored answer on a hit', async () => {
      const miss = await cli(
        '--json',
        'lookup',
        '-m',
        MODEL,
        '-s',
        'You are the support bot of a shoe shop.',
        'Can I pay with a gift card?',
      );
      expect(miss.code).toBe(4);
      expect(miss.json()).toMatchObject({ hit: false, status: 'miss' });

      const id = await store('Can I pay with a gift card?', ['doc:payments']);
      const hit = await cli(
        '--json',
        'lookup',
        '-m',
        MODEL,
        '-s',
        'You are the support bot of a shoe shop.',
        'Can I pay with a gift card?',
      );
      expect(hit.code).toBe(0);
      expect(hit.json()).toMatchObject({ hit: true, id, response: { answer: 'about Can I pay with a gift card?' } });

      const human = await cli(
        'lookup',
        '-m',
        MODEL,
        '-s',
        'You are the support bot of a shoe shop.',
        'Can I pay with a gift card?',
      );
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/^HIT l1\n/);
      expect(human.stdout).toContain('"answer": "about Can I pay with a gift card?"');
    });

    it('reads a lookup body from a file, and refuses an invalid one before sending it (exit 2)', async () => {
      await store('Do you ship to Norway?', ['doc:shipping']);
      const file = join(dir, 'lookup.json');
      writeFileSync(file, JSON.stringify({ ...question('Do you ship to Norway?'), mode: 'exact' }));
      expect((await cli('lookup', '--request', file)).code).toBe(0);

      writeFileSync(file, JSON.stringify({ model: MODEL, messages: [] }));
      const invalid = await cli('lookup', '--request', file);
      expect(invalid.code).toBe(2);
      expect(invalid.stderr).toContain('messages must not be empty');
    });

    it('gets and deletes an entry by id; an unknown id exits 4', async () => {
      const id = await store('What sizes do the trail runners come in?', ['product:trail']);
      const got = await cli('--json', 'entries', 'get', id);
      expect(got.code).toBe(0);
      expect(got.json()).toMatchObject({
        id,
        model: MODEL,
        tags: ['product:trail'],
        query: 'What sizes do the trail runners come in?',
      });

      const removed = await cli('entries', 'rm', id);
      expect(removed.code).toBe(0);
      expect(removed.stdout).toMatch(new RegExp(`^deleted ${id}: purged l1=1 l2=\\d+ l3=\\d+`));

      const gone = await cli('--json', 'entries', 'get', id);
      expect(gone.code).toBe(4);
      expect(JSON.parse(gone.stderr)).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    });

    it('lists and searches entries, exports them as JSON Lines, and imports the file back after a purge', async () => {
      const ids: string[] = [];
      for (const content of ['Do the sandals come in blue?', 'Are the sandals vegan?', 'Do you sell insoles?']) {
        const res = await http(strata.url, 'POST', '/v1/cache/entries', {
          apiKey: KEY,
          body: { ...question(content), namespace: 'catalog', response: { answer: content }, tags: ['export:test'] },
        });
        expect(res.status).toBe(201);
        ids.push(res.body.id as string);
      }
      const listed = await cli('--json', 'entries', 'ls', '--namespace', 'catalog', '--limit', '2');
      expect(listed.code).toBe(0);
      expect(listed.json().entries).toHaveLength(2);
      const rest = await cli('--json', 'entries', 'ls', '--namespace', 'catalog', '--cursor', listed.json().nextCursor);
      expect([...listed.json().entries, ...rest.json().entries].map((e: { id: string }) => e.id).sort()).toEqual(
        [...ids].sort(),
      );
      const search = await cli('entries', 'ls', '--search', 'SANDALS', '--namespace', 'catalog');
      expect(search.stdout.trim().split('\n')).toHaveLength(3); // header + 2
      expect(search.stdout).not.toContain('insoles');

      const file = join(dir, 'catalog.jsonl');
      const exported = await cli('export', '--namespace', 'catalog', '--out', file);
      expect(exported.code).toBe(0);
      expect(exported.stdout).toContain(`exported 3 entries to ${file}`);
      expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
      expect(existsSync(`${file}.export-state`)).toBe(false);

      expect((await cli('--json', 'purge', '--namespace', 'catalog')).json().purged.l2).toBe(3);
      const imported = await cli('--json', 'import', '--from', file);
      expect(imported.code).toBe(0);
      expect(imported.json()).toMatchObject({ lines: 3, stored: 3, skipped: 0, invalid: 0 });
      for (const id of ids) expect((await cli('entries', 'get', id)).code).toBe(0);
      const hit = await http(strata.url, 'POST', '/v1/cache/lookup', {
        apiKey: KEY,
        body: { ...question('Are the sandals vegan?'), namespace: 'catalog', mode: 'exact' },
      });
      expect(hit.body).toMatchObject({ hit: true, response: { answer: 'Are the sandals vegan?' } });
    });

    it('purges by tag, by namespace and by meaning, with counts per tier', async () => {
      const id = await store('Are the boots waterproof?', ['product:boots']);
      const purged = await cli('--json', 'purge', '--tag', 'product:boots');
      expect(purged.code).toBe(0);
      expect(purged.json()).toEqual({ purged: { l1: 1, l2: 1, l3: 1 } });
      expect((await cli('entries', 'get', id)).code).toBe(4);

      const res = await http(strata.url, 'POST', '/v1/cache/entries', {
        apiKey: KEY,
        body: { ...question('Is there a store in Oslo?'), namespace: 'stores', response: { answer: 'yes' } },
      });
      expect(res.status).toBe(201);
      expect((await cli('--json', 'purge', '--namespace', 'stores')).json().purged.l2).toBe(1);

      const refundId = await store('How do I get a refund for my shoes?', ['doc:refunds']);
      const like = await cli(
        '--json',
        'purge',
        '--like',
        'How do I get a refund for my shoes?',
        '--min-similarity',
        '0.95',
      );
      expect(like.code).toBe(0);
      expect(like.json().semantic.matched).toBeGreaterThanOrEqual(1);
      expect((await cli('entries', 'get', refundId)).code).toBe(4);
    });

    it('publishes a data-change event that purges the tagged entries', async () => {
      const id = await store('What does the loyalty card cost?', ['product:loyalty']);
      const published = await cli('--json', 'publish', '--tag', 'product:loyalty', '--reason', 'price changed');
      expect(published.code).toBe(0);
      expect(published.json()).toMatchObject({
        id: expect.any(String),
        topic: 'strata.data-changes.v1',
        status: 'published',
      });
      await eventually(async () => (await cli('entries', 'get', id)).code === 4);
    });

    it('shows stats, as JSON and as aligned fields', async () => {
      const json = await cli('--json', 'stats');
      expect(json.code).toBe(0);
      expect(json.json()).toMatchObject({ lookups: expect.any(Number), hits: { l1: expect.any(Number) } });
      const human = await cli('stats');
      expect(human.stdout).toMatch(/^hits\.l1 +\d+$/m);
    });
  });

  describe('warm', () => {
    const chat = (content: string, extra: Record<string, unknown> = {}) => ({
      model: 'gpt-warm-test',
      messages: [
        { role: 'system', content: 'You answer questions about the shop.' },
        { role: 'user', content },
      ],
      ...extra,
    });
    const QUESTIONS = [
      'What are the opening hours of the Berlin store?',
      'Which payment methods do you accept online?',
      'How heavy is the alpine backpack?',
      'Can I exchange a jacket that I bought on sale?',
      'Do the hiking socks come in merino wool?',
    ];
    const jsonl = (lines: readonly unknown[]) => lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
    const askedUpstream = (text: string) => fake.chatCalls(text).length;

    it('stores the answers of the most popular questions with their tags, then finds them all cached', async () => {
      const file = join(dir, 'popular.jsonl');
      writeFileSync(
        file,
        jsonl([
          { ...chat(QUESTIONS[0]), count: 5, tags: ['store:berlin'] },
          { ...chat(QUESTIONS[1]), count: 2 },
          // A batch-API line, and the same question again: their counts add up (3 + 4 = 7, the most popular).
          {
            custom_id: 'q-backpack',
            method: 'POST',
            url: '/v1/chat/completions',
            body: chat(QUESTIONS[2]),
            count: 3,
            tags: ['product:backpack'],
          },
          {
            custom_id: 'q-backpack',
            method: 'POST',
            url: '/v1/chat/completions',
            body: chat(QUESTIONS[2]),
            count: 4,
            tags: ['product:backpack'],
          },
          { ...chat(QUESTIONS[3]), count: 1 },
          { ...chat(QUESTIONS[4], { stream: true }), count: 3 },
        ]),
      );

      const first = await cli(
        '--json',
        'warm',
        '--from',
        file,
        '--top',
        '4',
        '--concurrency',
        '2',
        '--rate',
        '50/s',
        '--tag',
        'warmed',
      );
      expect(first.code).toBe(0);
      expect(first.json()).toMatchObject({
        total: 4,
        skipped: 0,
        done: 4,
        hits: 0,
        misses: 4,
        bypassed: 0,
        errors: 0,
        interrupted: false,
      });
      expect(first.json().tokens.spent).toBeGreaterThan(0);
      // --top 4 by popularity: the least popular question was not sent.
      expect([0, 1, 2, 4].map((i) => askedUpstream(QUESTIONS[i]))).toEqual([1, 1, 1, 1]);
      expect(askedUpstream(QUESTIONS[3])).toBe(0);
      // A finished warm leaves no resume state.
      expect(existsSync(`${file}.warm-state`)).toBe(false);

      // The proxy stores in the background, with the line's tags and --tag.
      const lookup = (content: string) =>
        http(strata.url, 'POST', '/v1/cache/lookup', {
          apiKey: KEY,
          body: { ...chat(content), params: { temperature: 0 }, mode: 'exact' },
        });
      await eventually(async () =>
        (await Promise.all([0, 1, 2, 4].map((i) => lookup(QUESTIONS[i])))).every((res) => res.body.hit === true),
      );
      const backpack = await lookup(QUESTIONS[2]);
      expect(
        (await http(strata.url, 'GET', `/v1/cache/entries/${backpack.body.id as string}`, { apiKey: KEY })).body.tags,
      ).toEqual(['warmed', 'product:backpack']);

      const second = await cli('--json', 'warm', '--from', file, '--top', '4', '--tag', 'warmed');
      expect(second.code).toBe(0);
      expect(second.json()).toMatchObject({ total: 4, done: 4, hits: 4, misses: 0, errors: 0 });
      expect(second.json().tokens.cached).toBe(first.json().tokens.spent);
      expect([0, 1, 2, 4].map((i) => askedUpstream(QUESTIONS[i]))).toEqual([1, 1, 1, 1]);
    });

    it('resumes an interrupted warm: what was done is not sent again', async () => {
      const questions = ['one', 'two', 'three', 'four', 'five', 'six'].map(
        (n) => `Interrupted warm, question number ${n}: what is in aisle ${n}?`,
      );
      const file = join(dir, 'interrupted.jsonl');
      const state = join(dir, 'interrupted.state');
      writeFileSync(file, jsonl(questions.map((q) => chat(q))));
      const doneIds = () =>
        existsSync(state)
          ? readFileSync(state, 'utf8')
              .split('\n')
              .filter((l) => l !== '' && !l.startsWith('#'))
          : [];

      const run = startCli([
        '--url',
        strata.url,
        '--key',
        KEY,
        '--json',
        'warm',
        '--from',
        file,
        '--state',
        state,
        '--concurrency',
        '1',
        '--rate',
        '2/s',
      ]);
      await eventually(() => doneIds().length >= 2, 30_000);
      run.child.kill('SIGINT');
      const interrupted = await run.done;
      expect(interrupted.code).toBe(130);
      const summary = interrupted.json();
      expect(summary.interrupted).toBe(true);
      expect(summary.done).toBeLessThan(questions.length);
      expect(doneIds()).toHaveLength(summary.done);

      const resumed = await cli('--json', 'warm', '--from', file, '--state', state, '--concurrency', '2');
      expect(resumed.code).toBe(0);
      expect(resumed.json()).toMatchObject({ total: 6, skipped: summary.done, done: 6 - summary.done, errors: 0 });
      // Each question reached the upstream exactly once over both runs.
      expect(questions.map((q) => askedUpstream(q))).toEqual([1, 1, 1, 1, 1, 1]);
      expect(existsSync(state)).toBe(false);
    });

    it('refuses an invalid file with the bad lines named (exit 2), and counts upstream errors (exit 1) for a rerun', async () => {
      const bad = join(dir, 'bad.jsonl');
      writeFileSync(bad, `${JSON.stringify(chat('fine'))}\nnot json\n${JSON.stringify({ model: 'x' })}\n`);
      const refused = await cli('warm', '--from', bad);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('line 2: not valid JSON');
      expect(refused.stderr).toContain('line 3: messages');

      const failing = 'Which question does the upstream refuse?';
      const removeRule = fake.rule({ match: failing, status: 500 });
      const file = join(dir, 'errors.jsonl');
      writeFileSync(file, jsonl([chat(failing), chat('Which question does the upstream answer?')]));
      const first = await cli('--json', 'warm', '--from', file);
      expect(first.code).toBe(1);
      expect(first.json()).toMatchObject({
        done: 1,
        errors: 1,
        errorSamples: [{ line: 1, message: expect.any(String) }],
      });
      removeRule();
      const rerun = await cli('--json', 'warm', '--from', file);
      expect(rerun.code).toBe(0);
      expect(rerun.json()).toMatchObject({ skipped: 1, done: 1, misses: 1, errors: 0 });
    });
  });

  describe('exit codes and help', () => {
    it('sends the key from --key or STRATA_KEY; without one the server refuses (exit 1)', async () => {
      const withFlag = await runCli(['--url', strata.url, '--key', KEY, '--json', 'stats']);
      expect(withFlag.code).toBe(0);
      const without = await runCli(['--url', strata.url, '--json', 'stats']);
      expect(without.code).toBe(1);
      expect(JSON.parse(without.stderr).error.code).toBe('unauthorized');
    });

    it('exits 2 on usage errors (every case: libs/cli/src/cli.spec.ts)', async () => {
      const run = await cli('entries', 'get', 'not-an-id');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('entry id: Invalid uuid');
    });

    it('exits 3 when the server is unreachable, with a JSON error for scripts', async () => {
      const run = await runCli(['--json', '--url', `http://127.0.0.1:${await closedPort()}`, 'stats']);
      expect(run.code).toBe(3);
      expect(JSON.parse(run.stderr)).toEqual({
        error: { code: 'unreachable', message: expect.stringContaining('cannot reach Strata') },
      });
    });

    it("runs the calibration tool with the given options and exits with its code (a missing pairs file: 2, the tool's message)", async () => {
      const missing = join(dir, 'no-such-pairs.jsonl');
      const run = await runCli(['calibrate', '--pairs', missing, '--target', '0.01']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`calibrate: ${missing} not found`);
    });

    it('prints help (every command: libs/cli/src/cli.spec.ts)', async () => {
      const run = await runCli(['warm', '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Usage: strata warm');
    });
  });
});
