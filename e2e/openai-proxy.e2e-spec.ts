import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeGate, FakeUpstream } from '@strata/testing';
import OpenAI from 'openai';
import { eventually } from './support/eventually';
import { type StrataProcess, http, startStrataProcess } from './support/strata-process';

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

/**
 * The OpenAI-compatible drop-in: the built embedded app as a process, its upstream a fake started here,
 * driven by the official `openai` client with only its base URL changed.
 */
describe('OpenAI-compatible proxy (end to end)', () => {
  const ACME = 'acme-key-1';
  const GLOBEX = 'globex-key-1';
  const OPS = 'ops-admin-key-1';
  const LIMITED = 'limited-key-1';
  const EMBEDDING_MODEL = 'use-lite';
  let fake: FakeUpstream;
  let strata: StrataProcess;
  let configDir: string;
  let acme: OpenAI;
  let globex: OpenAI;

  const client = (apiKey: string, headers: Record<string, string> = {}) =>
    new OpenAI({ apiKey, baseURL: `${strata.url}/v1`, maxRetries: 0, defaultHeaders: headers });
  /** A deterministic request (temperature 0) with its own model, so that no test can semantically hit another's entries. */
  const ask = (
    model: string,
    question: string,
    extra: Partial<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming> = {},
  ) => ({
    model,
    messages: [
      { role: 'system' as const, content: 'You are a terse assistant.' },
      { role: 'user' as const, content: question },
    ],
    temperature: 0,
    ...extra,
  });
  const create = (c: OpenAI, body: ReturnType<typeof ask>, headers: Record<string, string> = {}) =>
    c.chat.completions.create(body, { headers }).withResponse();
  const stream = async (c: OpenAI, body: ReturnType<typeof ask>, headers: Record<string, string> = {}) => {
    const { data, response } = await c.chat.completions.create({ ...body, stream: true }, { headers }).withResponse();
    const chunks: Chunk[] = [];
    for await (const chunk of data) chunks.push(chunk);
    return { chunks, response };
  };
  const text = (chunks: readonly Chunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
  /** The cache API sees the proxy's entries under the same key: poll it until the store has landed. */
  const stored = (apiKey: string, body: ReturnType<typeof ask>, namespace?: string) =>
    eventually(async () => {
      const { model, messages, ...params } = body;
      const res = await http(strata.url, 'POST', '/v1/cache/lookup', {
        apiKey,
        body: { namespace, model, messages, params, mode: 'exact' },
      });
      return res.body.hit === true;
    });
  const metric = async (pattern: RegExp) => {
    const res = await http(strata.url, 'GET', '/metrics', { apiKey: OPS });
    return Number(pattern.exec(res.body as string)?.[1] ?? 0);
  };

  beforeAll(async () => {
    fake = await FakeUpstream.start();
    configDir = mkdtempSync(join(tmpdir(), 'strata-proxy-e2e-'));
    const configFile = join(configDir, 'strata.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        cache: { namespaces: { swr: { defaultTtlSeconds: 1 } } },
        upstream: { staleWhileRevalidateSeconds: { swr: 60 }, hedgeAfterMs: { hedged: 0 } },
        pricing: { models: { 'gpt-test-*': { inputPerMillion: 1_000, outputPerMillion: 2_000 } } },
        rateLimit: { tenants: { limited: { requestsPerSecond: 0.001, burst: 2 } } },
      }),
    );
    strata = await startStrataProcess('dist/apps/gateway/src/main.js', {
      STRATA_CONFIG: configFile,
      STRATA_API_KEYS: `acme=${ACME},globex=${GLOBEX},limited=${LIMITED}`,
      UPSTREAM_URL: fake.url,
      // No upstream key: clients bring their own (the Strata key then in X-Strata-Key); /metrics needs an operator key.
      STRATA_CLIENT_UPSTREAM_KEYS: 'true',
      STRATA_ADMIN_KEYS: OPS,
      // A loaded CI machine must not turn a cache-service lookup into a spurious miss.
      STRATA_CACHE_TIMEOUT_MS: '2000',
    });
    acme = client(ACME);
    globex = client(GLOBEX);
    // The first embedding loads the local model: do it before the tests that time nothing.
    await eventually(
      async () => (await acme.embeddings.create({ model: EMBEDDING_MODEL, input: 'warm up' })).data.length === 1,
      60_000,
      200,
    );
  });

  afterAll(async () => {
    expect(await strata.stop()).toBe(0);
    await fake.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('answers a miss from the upstream unchanged, then the same request from the cache', async () => {
    const body = ask('gpt-test-a', 'What is the capital of France?');
    const miss = await create(acme, body);
    expect(miss.response.status).toBe(200);
    expect(miss.response.headers.get('x-strata-cache')).toBe('MISS');
    expect(miss.response.headers.get('cache-status')).toBe('Strata; fwd=miss; fwd-status=200; stored');
    expect(miss.data.choices[0]?.message.content).toMatch(/^Answer #\d+ to: What is the capital of France\?$/);
    expect(miss.response.headers.get('x-upstream-request-id')).toMatch(/^req_/);
    await stored(ACME, body);

    const hit = await create(acme, body);
    expect(hit.data).toEqual(miss.data);
    expect(hit.response.headers.get('x-strata-cache')).toBe('HIT');
    expect(hit.response.headers.get('x-strata-tier')).toBe('l1');
    expect(hit.response.headers.get('x-strata-entry-id')).toBe(miss.response.headers.get('x-strata-entry-id'));
    expect(Number(hit.response.headers.get('age'))).toBeGreaterThanOrEqual(0);
    expect(hit.response.headers.get('cache-status')).toMatch(/^Strata; hit; ttl=\d+; detail=l1$/);
    expect(fake.chatCalls('What is the capital of France?')).toHaveLength(1);
  });

  it('streams a miss as it arrives, then replays the same chunks on a hit', async () => {
    const body = ask('gpt-test-b', 'Name three rivers in Europe.');
    const miss = await stream(acme, body);
    expect(miss.response.headers.get('x-strata-cache')).toBe('MISS');
    expect(miss.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(text(miss.chunks)).toMatch(/^Answer #\d+ to: Name three rivers in Europe\.$/);
    expect(miss.chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    // The proxy asked the upstream for usage (to count savings) but the client, who did not, gets no usage chunk.
    expect((fake.chatCalls('Name three rivers')[0]?.body as { stream_options?: unknown }).stream_options).toEqual({
      include_usage: true,
    });
    expect(miss.chunks.every((c) => c.choices.length === 1)).toBe(true);
    await stored(ACME, body);

    const hit = await stream(acme, body);
    expect(hit.response.headers.get('x-strata-cache')).toBe('HIT');
    expect(hit.chunks).toEqual(miss.chunks);
    expect(fake.chatCalls('Name three rivers')).toHaveLength(1);
  });

  it('serves a non-streaming request from a stream record, and a stream from a stored completion', async () => {
    const streamed = ask('gpt-test-b', 'Name three rivers in Europe.');
    const fromRecord = await create(acme, streamed);
    expect(fromRecord.response.headers.get('x-strata-cache')).toBe('HIT');
    expect(fromRecord.data.object).toBe('chat.completion');
    expect(fromRecord.data.choices[0]?.message.content).toMatch(/^Answer #\d+ to: Name three rivers in Europe\.$/);
    expect(fromRecord.data.choices[0]?.finish_reason).toBe('stop');
    expect(fromRecord.data.usage?.total_tokens).toBeGreaterThan(0);

    const completion = ask('gpt-test-a', 'What is the capital of France?');
    const { chunks, response } = await stream(acme, completion);
    expect(response.headers.get('x-strata-cache')).toBe('HIT');
    expect(text(chunks)).toMatch(/^Answer #\d+ to: What is the capital of France\?$/);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(fake.chatCalls('Name three rivers')).toHaveLength(1);
    expect(fake.chatCalls('capital of France')).toHaveLength(1);
  });

  it('makes one upstream call for concurrent identical misses, streams included', async () => {
    const question = 'Which planet is largest?';
    const body = ask('gpt-test-c', question);
    const gate = new FakeGate();
    fake.rule({ match: question, holdUntil: gate, times: 1 });
    const coalescedBefore = await metric(/^strata_proxy_coalesced_total (\d+)/m);

    const plain = Array.from({ length: 4 }, () => create(acme, body));
    const streams = Array.from({ length: 2 }, () => stream(acme, body));
    await eventually(
      async () => fake.held === 1 && (await metric(/^strata_proxy_coalesced_total (\d+)/m)) - coalescedBefore === 5,
    );
    gate.release();

    const answers = await Promise.all(plain);
    const streamed = await Promise.all(streams);
    const content = answers[0]?.data.choices[0]?.message.content;
    expect(content).toMatch(/^Answer #\d+ to: Which planet is largest\?$/);
    for (const answer of answers) expect(answer.data.choices[0]?.message.content).toBe(content);
    for (const s of streamed) expect(text(s.chunks)).toBe(content);
    const statuses = [...answers.map((a) => a.response), ...streamed.map((s) => s.response)].map((r) =>
      r.headers.get('cache-status'),
    );
    expect(statuses.filter((s) => s?.includes('collapsed'))).toHaveLength(5);
    expect(fake.chatCalls(question)).toHaveLength(1);
  });

  it('does not store with Cache-Control: no-store', async () => {
    const body = ask('gpt-test-d', 'What colour is the sky?');
    const first = await create(acme, body, { 'cache-control': 'no-store' });
    expect(first.response.headers.get('cache-status')).toBe('Strata; fwd=miss; fwd-status=200');
    const second = await create(acme, body);
    expect(second.response.headers.get('x-strata-cache')).toBe('MISS');
    expect(fake.chatCalls('What colour is the sky?')).toHaveLength(2);
  });

  it('refreshes with Cache-Control: no-cache and stores the fresh answer', async () => {
    const body = ask('gpt-test-a', 'What is the capital of France?');
    const before = (await create(acme, body)).data.choices[0]?.message.content;
    const refreshed = await create(acme, body, { 'cache-control': 'no-cache' });
    expect(refreshed.response.headers.get('x-strata-cache')).toBe('MISS');
    expect(refreshed.response.headers.get('cache-status')).toBe('Strata; fwd=request; fwd-status=200; stored');
    const fresh = refreshed.data.choices[0]?.message.content;
    expect(fresh).not.toBe(before);
    await eventually(async () => (await create(acme, body)).data.choices[0]?.message.content === fresh);
    expect(fake.chatCalls('capital of France')).toHaveLength(2);
  });

  it('honours max-age: an entry older than it is refreshed', async () => {
    const body = ask('gpt-test-a', 'What is the capital of France?');
    const calls = fake.chatCalls('capital of France').length;
    const cached = await create(acme, body, { 'cache-control': 'max-age=3600' });
    expect(cached.response.headers.get('x-strata-cache')).toBe('HIT');
    await eventually(async () => Number((await create(acme, body)).response.headers.get('age')) >= 1, 15_000, 200);
    const refreshed = await create(acme, body, { 'cache-control': 'max-age=0' });
    expect(refreshed.response.headers.get('cache-status')).toMatch(/^Strata; fwd=stale; fwd-status=200; stored/);
    expect(fake.chatCalls('capital of France')).toHaveLength(calls + 1);
  });

  it('passes an upstream error through and does not store it', async () => {
    const question = 'Will this fail?';
    const body = ask('gpt-test-e', question);
    fake.rule({ match: question, status: 500, times: 1 });
    const error = await create(acme, body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('scripted failure 500');
    const retry = await create(acme, body);
    expect(retry.response.headers.get('x-strata-cache')).toBe('MISS');
    expect(fake.chatCalls(question)).toHaveLength(2);
  });

  it('does not store a stream the client aborted, and stops the upstream call', async () => {
    const question = 'Tell me a very long story.';
    const body = ask('gpt-test-f', question);
    fake.rule({ match: question, pauseAfterChunks: 2, times: 1 });
    const s = await acme.chat.completions.create({ ...body, stream: true });
    for await (const chunk of s) {
      expect(chunk.object).toBe('chat.completion.chunk');
      s.controller.abort();
      break;
    }
    await eventually(() => fake.chatCalls(question)[0]?.aborted === true);
    const again = await create(acme, body);
    expect(again.response.headers.get('x-strata-cache')).toBe('MISS');
    expect(fake.chatCalls(question)).toHaveLength(2);
  });

  it('does not store a stream the upstream cut short or failed mid-way', async () => {
    const cut = ask('gpt-test-f', 'Count to ten slowly.');
    fake.rule({ match: 'Count to ten', breakAfterChunks: 3, times: 1 });
    const truncated = await stream(acme, cut);
    expect(truncated.chunks.length).toBeLessThan(4);
    const failing = ask('gpt-test-f', 'Explain gravity briefly.');
    fake.rule({ match: 'Explain gravity', errorAfterChunks: 2, times: 1 });
    await expect(stream(acme, failing)).rejects.toBeInstanceOf(OpenAI.APIError);

    expect((await create(acme, cut)).response.headers.get('x-strata-cache')).toBe('MISS');
    expect((await create(acme, failing)).response.headers.get('x-strata-cache')).toBe('MISS');
    expect(fake.chatCalls('Count to ten')).toHaveLength(2);
    expect(fake.chatCalls('Explain gravity')).toHaveLength(2);
  });

  it('bypasses the cache for temperature > 0 or unset, and for mode off', async () => {
    const question = 'Write a haiku about autumn.';
    const sampled = ask('gpt-test-g', question, { temperature: 0.7 });
    for (let i = 0; i < 2; i++) {
      const res = await create(acme, sampled);
      expect(res.response.headers.get('x-strata-cache')).toBe('BYPASS');
      expect(res.response.headers.get('cache-status')).toBe('Strata; fwd=bypass; fwd-status=200; detail=temperature');
    }
    const { temperature: _t, ...unset } = ask('gpt-test-g', question);
    expect((await create(acme, unset as ReturnType<typeof ask>)).response.headers.get('x-strata-cache')).toBe('BYPASS');
    const off = await create(acme, ask('gpt-test-g', question), { 'x-strata-cache-mode': 'off' });
    expect(off.response.headers.get('cache-status')).toBe('Strata; fwd=bypass; fwd-status=200; detail=mode-off');
    expect(fake.chatCalls(question)).toHaveLength(4);
  });

  it('keeps tenants apart: another API key never gets the entry', async () => {
    const question = 'What is our refund policy?';
    const body = ask('gpt-test-h', question);
    const mine = await create(acme, body);
    await stored(ACME, body);
    const theirs = await create(globex, body);
    expect(theirs.response.headers.get('x-strata-cache')).toBe('MISS');
    expect(theirs.data.choices[0]?.message.content).not.toBe(mine.data.choices[0]?.message.content);
    const mineAgain = await create(acme, body);
    expect(mineAgain.response.headers.get('x-strata-cache')).toBe('HIT');
    expect(mineAgain.data).toEqual(mine.data);
    expect(fake.chatCalls(question)).toHaveLength(2);
  });

  it('never forwards the Strata key; a client may send its own upstream key with the Strata key in X-Strata-Key', async () => {
    await create(acme, ask('gpt-test-k', 'Who holds the key?', { temperature: 0.5 }));
    expect(fake.chatCalls('Who holds the key?')[0]?.headers.authorization).toBeUndefined();
    const byok = new OpenAI({
      apiKey: 'sk-client-own-key',
      baseURL: `${strata.url}/v1`,
      maxRetries: 0,
      defaultHeaders: { 'x-strata-key': ACME },
    });
    const res = await create(byok, ask('gpt-test-k', 'Who holds the key?', { temperature: 0.5 }));
    expect(res.response.status).toBe(200);
    expect(fake.chatCalls('Who holds the key?')[1]?.headers.authorization).toBe('Bearer sk-client-own-key');
  });

  it('refuses an unknown key with 401 in a shape the openai client reads, without calling the upstream', async () => {
    const calls = fake.requests.length;
    const error = await create(client('nope'), ask('gpt-test-a', 'hi')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(401);
    expect(apiError.code).toBe('unauthorized');
    expect(apiError.type).toBe('authentication_error');
    expect(fake.requests.length).toBe(calls);
  });

  it('refuses bad control headers with 400', async () => {
    const error = await create(acme, ask('gpt-test-a', 'hi'), { 'x-strata-threshold': 'high' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('X-Strata-Threshold');
  });

  it('stores tags from X-Strata-Tags, so a purge by tag removes the answer', async () => {
    const body = ask('gpt-test-i', 'How much is shipping to Norway?');
    await create(acme, body, { 'x-strata-tags': 'doc:shipping, region:no' });
    await stored(ACME, body);
    expect((await create(acme, body)).response.headers.get('x-strata-cache')).toBe('HIT');
    const purge = await http(strata.url, 'POST', '/v1/cache/purge', { apiKey: ACME, body: { tags: ['region:no'] } });
    expect(purge.status).toBe(200);
    expect((await create(acme, body)).response.headers.get('x-strata-cache')).toBe('MISS');
  });

  it('serves a stale entry within the grace window and refreshes it once in the background', async () => {
    const question = 'What time do you open?';
    const body = ask('gpt-test-j', question);
    const headers = { 'x-strata-namespace': 'swr' };
    const first = await create(acme, body, headers);
    await stored(ACME, body, 'swr');
    const stale = await eventually(
      async () => {
        const res = await create(acme, body, headers);
        expect(res.response.headers.get('x-strata-cache')).toBe('STALE');
        return res;
      },
      15_000,
      100,
    );
    expect(stale.data).toEqual(first.data);
    expect(stale.response.headers.get('cache-status')).toMatch(/^Strata; hit; ttl=-\d+; detail=l1$/);
    await eventually(() => fake.chatCalls(question).length === 2);
    const refreshed = await eventually(async () => {
      const res = await create(acme, body, headers);
      expect(res.data.choices[0]?.message.content).not.toBe(first.data.choices[0]?.message.content);
      return res;
    });
    expect(refreshed.response.headers.get('x-strata-cache')).toMatch(/^(HIT|STALE)$/);
    expect(fake.chatCalls(question)).toHaveLength(2);
  });

  describe('hedged misses (a namespace with upstream.hedgeAfterMs 0)', () => {
    const hedged = { 'x-strata-namespace': 'hedged' };
    /** Asks `question` once in the hedged namespace (a miss, stored) and waits until the cache has it. */
    const seed = async (model: string, question: string) => {
      const first = await create(acme, ask(model, question), hedged);
      await stored(ACME, ask(model, question), 'hedged');
      return first;
    };
    /** Runs `check` while the upstream holds its answers to questions containing `match`; releases them after. */
    const whileHeld = async (match: string, check: () => Promise<void>) => {
      const gate = new FakeGate();
      const removeRule = fake.rule({ match, holdUntil: gate });
      try {
        await check();
      } finally {
        removeRule();
        gate.release();
      }
    };

    it('calls the upstream at once, not hedged, in a context the semantic tier holds nothing of', async () => {
      const body = ask('gpt-test-h0', 'Can I exchange sneakers for another size?');
      const miss = await create(acme, body, hedged);
      expect(miss.response.headers.get('x-strata-cache')).toBe('MISS');
      expect(miss.response.headers.get('x-strata-hedged')).toBeNull();
      expect(miss.data.choices[0]?.message.content).toMatch(
        /^Answer #\d+ to: Can I exchange sneakers for another size\?$/,
      );
    });

    it('calls the upstream beside the lookup, and serves and stores its answer when the cache has none', async () => {
      // The context holds an entry, so the lookup embeds the question and searches: the call starts beside it.
      await seed('gpt-test-h1', 'Do you sell hiking boots?');
      const body = ask('gpt-test-h1', 'How long do I have to return boots?');
      const miss = await create(acme, body, hedged);
      expect(miss.response.headers.get('x-strata-cache')).toBe('MISS');
      expect(miss.response.headers.get('x-strata-hedged')).toBe('1');
      expect(miss.response.headers.get('cache-status')).toBe('Strata; fwd=miss; fwd-status=200; stored; detail=hedged');
      expect(miss.data.choices[0]?.message.content).toMatch(/^Answer #\d+ to: How long do I have to return boots\?$/);
      await stored(ACME, body, 'hedged');
      const hit = await create(acme, body, hedged);
      expect(hit.response.headers.get('x-strata-tier')).toBe('l1');
      expect(hit.response.headers.get('x-strata-hedged')).toBeNull();
      expect(hit.data).toEqual(miss.data);
      expect(fake.chatCalls('return boots')).toHaveLength(1);
    });

    it("serves a paraphrase's semantic hit that arrives before the upstream, and abandons the upstream call", async () => {
      const first = await seed('gpt-test-h2', 'How long do I have to return shoes?');
      await whileHeld('return my shoes', async () => {
        const hit = await create(acme, ask('gpt-test-h2', 'how long do i have to return my shoes'), hedged);
        expect(hit.response.headers.get('x-strata-cache')).toBe('HIT');
        expect(hit.response.headers.get('x-strata-tier')).toBe('l3');
        expect(hit.response.headers.get('x-strata-hedged')).toBe('1');
        expect(hit.data).toEqual(first.data);
        // The hedged call was made, then left: the upstream sees its client go away before any answer.
        expect(fake.chatCalls('return my shoes')).toHaveLength(1);
        await eventually(() => fake.chatCalls('return my shoes')[0]?.aborted === true);
        expect(await metric(/^strata_proxy_hedges_total\{outcome="hit"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
      });
    });

    it('streams a semantic hit that arrives before a held upstream stream, and abandons the stream', async () => {
      const first = await seed('gpt-test-h4', 'How long do I have to return slippers?');
      await whileHeld('return my slippers', async () => {
        const hit = await stream(acme, ask('gpt-test-h4', 'how long do i have to return my slippers'), hedged);
        expect(hit.response.headers.get('x-strata-tier')).toBe('l3');
        expect(hit.response.headers.get('x-strata-hedged')).toBe('1');
        expect(text(hit.chunks)).toBe(first.data.choices[0]?.message.content);
        await eventually(() => fake.chatCalls('return my slippers')[0]?.aborted === true);
      });
    });

    it('waits for the lookup when the hedged upstream call fails, so a failure never hides a hit', async () => {
      const first = await seed('gpt-test-h3', 'How long do I have to return sandals?');
      const removeRule = fake.rule({ match: 'return my sandals', status: 500 });
      try {
        const hit = await create(acme, ask('gpt-test-h3', 'how long do i have to return my sandals'), hedged);
        expect(hit.response.status).toBe(200);
        expect(hit.response.headers.get('x-strata-tier')).toBe('l3');
        expect(hit.data).toEqual(first.data);
        expect(fake.chatCalls('return my sandals')).toHaveLength(1);
      } finally {
        removeRule();
      }
    });
  });

  it('serves the configured embedding model through the embedding service, in float and base64', async () => {
    const before = fake.requests.filter((r) => r.path === '/v1/embeddings').length;
    const b64 = await acme.embeddings.create({
      model: EMBEDDING_MODEL,
      input: ['the cat sat on the mat', 'a dog ran in the park'],
    });
    expect(b64.object).toBe('list');
    expect(b64.model).toBe(EMBEDDING_MODEL);
    expect(b64.data.map((d) => d.index)).toEqual([0, 1]);
    expect(b64.data[0]?.embedding).toHaveLength(512);
    expect(b64.usage.prompt_tokens).toBeGreaterThan(0);
    const floats = await acme.embeddings.create({
      model: EMBEDDING_MODEL,
      input: 'the cat sat on the mat',
      encoding_format: 'float',
    });
    floats.data[0].embedding.forEach((x, i) => expect(x).toBeCloseTo(b64.data[0].embedding[i], 5));
    expect(fake.requests.filter((r) => r.path === '/v1/embeddings').length).toBe(before);
  });

  it('passes other embedding models through to the upstream', async () => {
    const res = await acme.embeddings.create({ model: 'fake-embed', input: 'hello' });
    expect(res.data[0]?.embedding).toHaveLength(8);
    expect(fake.requests.filter((r) => r.path === '/v1/embeddings')).toHaveLength(1);
  });

  it('passes the model list through', async () => {
    const models = [];
    for await (const model of acme.models.list()) models.push(model.id);
    expect(models).toEqual(['fake-chat', 'fake-embed']);
    expect((await acme.models.retrieve('fake-chat')).id).toBe('fake-chat');
    expect(fake.requests.filter((r) => r.path.startsWith('/v1/models'))).toHaveLength(2);
  });

  it('limits a tenant to its request rate with 429 and Retry-After', async () => {
    const limited = client(LIMITED);
    await limited.models.list();
    await limited.models.list();
    const error = await limited.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(Number(apiError.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(apiError.type).toBe('rate_limit_error');
    // Other tenants are not affected.
    await acme.models.list();
  });

  it('counts tokens and money saved by hits in /metrics and /v1/cache/stats', async () => {
    expect(await metric(/^strata_tokens_saved_total\{model="gpt-test-a",tenant="acme"\} (\d+)/m)).toBeGreaterThan(0);
    expect(
      await metric(/^strata_cost_saved_usd_total\{model="gpt-test-a",tenant="acme"\} ([\d.e-]+)/m),
    ).toBeGreaterThan(0);
    const stats = await http(strata.url, 'GET', '/v1/cache/stats', { apiKey: ACME });
    expect(stats.body.saved.tokens).toBeGreaterThan(0);
    expect(stats.body.saved.usd).toBeGreaterThan(0);
    expect(stats.body.saved.byModel['gpt-test-b'].tokens).toBeGreaterThan(0);
  });
});
