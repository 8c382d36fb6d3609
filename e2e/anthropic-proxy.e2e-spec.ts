import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { FakeGate, FakeUpstream } from '@strata/testing';
import OpenAI from 'openai';
import { eventually } from './support/eventually';
import { type StrataProcess, http, startStrataProcess } from './support/strata-process';

// Fields this SDK version does not type (both APIs accept them): temperature, prompt_cache_key.
type MessageParams = Anthropic.MessageCreateParamsNonStreaming & { temperature?: number };
type ChatParams = Partial<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming> & {
  prompt_cache_key?: string;
};

/**
 * The Anthropic Messages API through Strata: the built embedded app as a process, its upstream a fake
 * (which simulates Anthropic's and OpenAI's prompt caches), driven by the official `@anthropic-ai/sdk`
 * and `openai` clients with only their base URL changed.
 */
describe('Anthropic Messages proxy (end to end)', () => {
  const ACME = 'acme-key-1';
  const GLOBEX = 'globex-key-1';
  const OPS = 'ops-key-1';
  const UPSTREAM_KEY = 'sk-upstream-configured';
  let fake: FakeUpstream;
  let strata: StrataProcess;
  let configDir: string;
  let acme: Anthropic;

  const anthropic = (apiKey: string, headers: Record<string, string> = {}) =>
    new Anthropic({ apiKey, baseURL: strata.url, maxRetries: 0, defaultHeaders: headers });
  /** A deterministic request (temperature 0) with its own model, so that no test can semantically hit another's entries. */
  const ask = (model: string, question: string, extra: Partial<MessageParams> = {}): MessageParams => ({
    model,
    max_tokens: 256,
    temperature: 0,
    system: 'You are a terse assistant.',
    messages: [{ role: 'user', content: question }],
    ...extra,
  });
  const create = (c: Anthropic, body: MessageParams, headers: Record<string, string> = {}) =>
    c.messages.create(body, { headers }).withResponse();
  const stream = async (c: Anthropic, body: MessageParams, headers: Record<string, string> = {}) => {
    const { data, response } = await c.messages.create({ ...body, stream: true }, { headers }).withResponse();
    const events: Anthropic.RawMessageStreamEvent[] = [];
    for await (const event of data) events.push(event);
    return { events, response };
  };
  const text = (message: Anthropic.Message) =>
    message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  const streamedText = (events: readonly Anthropic.RawMessageStreamEvent[]) =>
    events.map((e) => (e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? e.delta.text : '')).join('');
  /** Polls until the answer to `body` is served from the cache (the store after a miss is asynchronous). */
  const cached = (body: MessageParams, headers: Record<string, string> = {}) =>
    eventually(async () => (await create(acme, body, headers)).response.headers.get('x-strata-cache') === 'HIT');
  const metric = async (pattern: RegExp) => {
    const res = await http(strata.url, 'GET', '/metrics', { apiKey: OPS });
    return Number(pattern.exec(res.body as string)?.[1] ?? 0);
  };
  /** A system prompt long enough for Anthropic's prompt cache (≥ 1024 tokens). */
  const longSystem = (topic: string) =>
    `You answer questions about ${topic}. ${'Keep answers short, cite the policy section, never guess. '.repeat(200)}`;

  beforeAll(async () => {
    fake = await FakeUpstream.start({ apiKey: UPSTREAM_KEY });
    configDir = mkdtempSync(join(tmpdir(), 'strata-anthropic-e2e-'));
    const configFile = join(configDir, 'strata.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        pricing: {
          models: {
            'claude-test-*': {
              inputPerMillion: 3_000,
              outputPerMillion: 15_000,
              cachedInputPerMillion: 300,
              cacheWritePerMillion: 3_750,
            },
          },
        },
        promptCache: { cacheControl: { pc: 'auto', pc1h: 'system' }, cacheControlTtl: { pc1h: '1h' } },
      }),
    );
    strata = await startStrataProcess('dist/apps/gateway/src/main.js', {
      STRATA_CONFIG: configFile,
      STRATA_API_KEYS: `acme=${ACME},globex=${GLOBEX}`,
      STRATA_ADMIN_KEYS: OPS,
      UPSTREAM_URL: fake.url,
      UPSTREAM_API_KEY: UPSTREAM_KEY,
      ANTHROPIC_UPSTREAM_URL: fake.url,
      ANTHROPIC_API_KEY: UPSTREAM_KEY,
      // A loaded CI machine must not turn a cache-service lookup into a spurious miss.
      STRATA_CACHE_TIMEOUT_MS: '2000',
    });
    acme = anthropic(ACME);
    // The first embedding loads the local model: do it before the semantic test, which times nothing.
    const warm = new OpenAI({ apiKey: ACME, baseURL: `${strata.url}/v1`, maxRetries: 0 });
    await eventually(
      async () => (await warm.embeddings.create({ model: 'use-lite', input: 'warm up' })).data.length === 1,
      60_000,
      200,
    );
  });

  afterAll(async () => {
    expect(await strata.stop()).toBe(0);
    await fake.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('answers a miss from the upstream unchanged, then the same request from the cache, over one upstream connection', async () => {
    const connections = fake.connections;
    const body = ask('claude-test-a', 'What is the capital of France?');
    const miss = await create(acme, body);
    expect(miss.response.headers.get('x-strata-cache')).toBe('MISS');
    expect(miss.response.headers.get('cache-status')).toBe('Strata; fwd=miss; fwd-status=200; stored');
    expect(miss.data.type).toBe('message');
    expect(text(miss.data)).toMatch(/^Answer #\d+ to: What is the capital of France\?$/);
    // The Strata key never goes upstream: the configured key does, with the client's API version.
    const call = fake.messageCalls('capital of France')[0];
    expect(call?.headers['x-api-key']).toBe(UPSTREAM_KEY);
    expect(call?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await cached(body);

    const hit = await create(acme, body);
    expect(hit.data).toEqual(miss.data);
    expect(hit.response.headers.get('x-strata-tier')).toBe('l1');
    expect(hit.response.headers.get('x-strata-entry-id')).toBe(miss.response.headers.get('x-strata-entry-id'));
    expect(fake.messageCalls('capital of France')).toHaveLength(1);

    for (const question of ['One?', 'Two?', 'Three?']) await create(acme, ask('claude-test-a', question));
    expect(fake.connections - connections).toBe(1);

    // Beta features may change the answer: passed upstream, and part of the key.
    const beta = await create(acme, body, { 'anthropic-beta': 'example-2025-01-01' });
    expect(beta.response.headers.get('x-strata-cache')).toBe('MISS');
    expect(fake.messageCalls('capital of France')[1]?.headers['anthropic-beta']).toBe('example-2025-01-01');
  });

  it('streams a miss event by event, then replays the same events on a hit', async () => {
    const body = ask('claude-test-b', 'Name three rivers in Europe.');
    const miss = await stream(acme, body);
    expect(miss.response.headers.get('x-strata-cache')).toBe('MISS');
    expect(miss.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(miss.events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]),
    );
    expect(streamedText(miss.events)).toMatch(/^Answer #\d+ to: Name three rivers in Europe\.$/);
    await cached(body);

    const hit = await stream(acme, body);
    expect(hit.response.headers.get('x-strata-cache')).toBe('HIT');
    expect(hit.events).toEqual(miss.events);
    expect(fake.messageCalls('Name three rivers')).toHaveLength(1);
  });

  it('answers a JSON request from a stream record and a stream from a stored message', async () => {
    const fromRecord = await create(acme, ask('claude-test-b', 'Name three rivers in Europe.'));
    expect(fromRecord.response.headers.get('x-strata-cache')).toBe('HIT');
    expect(text(fromRecord.data)).toMatch(/^Answer #\d+ to: Name three rivers in Europe\.$/);
    expect(fromRecord.data.stop_reason).toBe('end_turn');
    expect(fromRecord.data.usage.output_tokens).toBeGreaterThan(0);

    const completion = ask('claude-test-a', 'What is the capital of France?');
    const message = await acme.messages.stream(completion).finalMessage();
    const direct = await create(acme, completion);
    expect(message).toMatchObject(direct.data);
    expect(fake.messageCalls('Name three rivers')).toHaveLength(1);
    expect(fake.messageCalls('capital of France')).toHaveLength(2);
  });

  it('answers a paraphrase of the last question from L3 in the same conversation context', async () => {
    const body = ask('claude-test-s', 'How long do I have to return boots?', {
      system: 'You are the support bot of a shoe shop.',
    });
    const miss = await create(acme, body);
    await cached(body);
    const paraphrase = await create(
      acme,
      ask('claude-test-s', 'how long do i have to return my boots', {
        system: 'You are the support bot of a shoe shop.',
      }),
    );
    expect(paraphrase.response.headers.get('x-strata-tier')).toBe('l3');
    expect(Number(paraphrase.response.headers.get('x-strata-similarity'))).toBeGreaterThanOrEqual(0.9);
    expect(paraphrase.data).toEqual(miss.data);
    expect(fake.messageCalls('boots')).toHaveLength(1);
  });

  it('never answers an OpenAI request with an Anthropic answer, nor another tenant', async () => {
    const question = 'What is our refund policy?';
    const body = ask('claude-test-c', question);
    await create(acme, body);
    await cached(body);
    const openai = new OpenAI({ apiKey: ACME, baseURL: `${strata.url}/v1`, maxRetries: 0 });
    const chat = await openai.chat.completions
      .create({
        model: 'claude-test-c',
        temperature: 0,
        max_tokens: 256,
        messages: [
          { role: 'system', content: 'You are a terse assistant.' },
          { role: 'user', content: question },
        ],
      })
      .withResponse();
    expect(chat.response.headers.get('x-strata-cache')).toBe('MISS');
    const theirs = await create(anthropic(GLOBEX), body);
    expect(theirs.response.headers.get('x-strata-cache')).toBe('MISS');
    expect(fake.messageCalls(question)).toHaveLength(2);
  });

  it('makes one upstream call for concurrent identical misses, streams included', async () => {
    const question = 'Which planet is largest?';
    const body = ask('claude-test-d', question);
    const gate = new FakeGate();
    fake.rule({ match: question, holdUntil: gate, times: 1 });
    const plain = Array.from({ length: 3 }, () => create(acme, body));
    const streams = Array.from({ length: 2 }, () => stream(acme, body));
    await eventually(async () => fake.held === 1 && (await metric(/^strata_proxy_coalesced_total (\d+)/m)) >= 4);
    gate.release();
    const answers = await Promise.all(plain);
    const streamed = await Promise.all(streams);
    const content = text(answers[0].data);
    for (const a of answers) expect(text(a.data)).toBe(content);
    for (const s of streamed) expect(streamedText(s.events)).toBe(content);
    expect(fake.messageCalls(question)).toHaveLength(1);
  });

  it('does not store a stream with an error event in it, and passes upstream errors in the shape the SDK reads', async () => {
    const failing = ask('claude-test-e', 'Explain gravity briefly.');
    fake.rule({ match: 'Explain gravity', errorAfterChunks: 3, times: 1 });
    await expect(stream(acme, failing)).rejects.toBeInstanceOf(Anthropic.APIError);
    expect((await create(acme, failing)).response.headers.get('x-strata-cache')).toBe('MISS');

    fake.rule({
      match: 'Will this fail?',
      status: 529,
      body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      times: 1,
    });
    const overloaded = await create(acme, ask('claude-test-e', 'Will this fail?')).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(Anthropic.APIError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
  });

  it("refuses bad input and unknown keys with Anthropic-shaped errors carrying Strata's code, without calling the upstream", async () => {
    const calls = fake.requests.length;
    const unknown = await create(anthropic('nope'), ask('claude-test-a', 'hi')).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(Anthropic.AuthenticationError);
    const bad = await http(strata.url, 'POST', '/v1/messages', {
      apiKey: ACME,
      body: { model: 'claude-test-a', max_tokens: 10, messages: [] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'invalid_request' },
    });
    expect(fake.requests.length).toBe(calls);
  });

  it('adds cache_control breakpoints per namespace without changing the key, and never on top of the client’s', async () => {
    const headers = { 'x-strata-namespace': 'pc' };
    const system = longSystem('returns');
    const first = ask('claude-test-f', 'How long do I have to return shoes?', {
      system,
      messages: [
        { role: 'user', content: 'Hello, I bought shoes last week.' },
        { role: 'assistant', content: 'Happy to help with your order.' },
        { role: 'user', content: 'How long do I have to return shoes?' },
      ],
    });
    const miss = await create(acme, first, headers);
    const sent = fake.messageCalls('How long do I have to return shoes?')[0]?.body as {
      system: { cache_control?: unknown }[];
      messages: { content: { cache_control?: unknown }[] }[];
    };
    expect(sent.system.at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    // auto: the last stable turn (the one before the new question) too.
    expect(sent.messages[1]?.content.at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    expect(miss.data.usage.cache_creation_input_tokens).toBeGreaterThan(1_000);

    // The key is the client's request: the same request with the client's own breakpoint is a hit.
    await cached(first, headers);
    const withOwn = await create(
      acme,
      { ...first, system: [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }] },
      headers,
    );
    expect(withOwn.response.headers.get('x-strata-cache')).toBe('HIT');

    // Another question over the same system prompt reads the provider's prompt cache.
    const second = await create(acme, ask('claude-test-f', 'Can I return worn shoes?', { system }), headers);
    expect(second.data.usage.cache_read_input_tokens).toBeGreaterThan(1_000);
    const own = { type: 'ephemeral' as const };
    await create(
      acme,
      ask('claude-test-f', 'Do you refund shipping?', { system: [{ type: 'text', text: system, cache_control: own }] }),
      headers,
    );
    const kept = fake.messageCalls('Do you refund shipping?')[0]?.body as { system: { cache_control?: unknown }[] };
    expect(kept.system[0]?.cache_control).toEqual(own);

    // 1h breakpoints where configured; nothing below the minimum cacheable size.
    await create(acme, ask('claude-test-f', 'Is there a restocking fee?', { system }), {
      'x-strata-namespace': 'pc1h',
    });
    const hour = fake.messageCalls('Is there a restocking fee?')[0]?.body as { system: { cache_control?: unknown }[] };
    expect(hour.system.at(-1)?.cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
    await create(acme, ask('claude-test-f', 'Short one?'), headers);
    expect(fake.messageCalls('Short one?')[0]?.body).toMatchObject({ system: 'You are a terse assistant.' });
  });

  it('accounts prompt-cache reads and writes per model and tenant, and prices savings at the cached rates', async () => {
    const series = (kind: string) =>
      metric(
        new RegExp(`^strata_upstream_tokens_total\\{model="claude-test-f",tenant="acme",kind="${kind}"\\} (\\d+)`, 'm'),
      );
    expect(await series('cache_read')).toBeGreaterThan(1_000);
    expect(await series('cache_write')).toBeGreaterThan(1_000);
    expect(await series('output')).toBeGreaterThan(0);

    const body = ask('claude-test-f', 'Can I return worn shoes?', { system: longSystem('returns') });
    const headers = { 'x-strata-namespace': 'pc' };
    await cached(body, headers);
    const savedBefore = await metric(
      /^strata_cost_saved_usd_total\{model="claude-test-f",tenant="acme"\} ([\d.e+-]+)/m,
    );
    const hit = await create(acme, body, headers);
    const u = hit.data.usage;
    const expected =
      (u.input_tokens * 3_000 +
        (u.cache_read_input_tokens ?? 0) * 300 +
        (u.cache_creation_input_tokens ?? 0) * 3_750 +
        u.output_tokens * 15_000) /
      1e6;
    const savedAfter = await metric(/^strata_cost_saved_usd_total\{model="claude-test-f",tenant="acme"\} ([\d.e+-]+)/m);
    expect(savedAfter - savedBefore).toBeCloseTo(expected, 6);
  });

  it('sets an OpenAI prompt_cache_key from the tenant and stable prefix when the client set none, and counts cached_tokens', async () => {
    const openai = new OpenAI({ apiKey: ACME, baseURL: `${strata.url}/v1`, maxRetries: 0 });
    const system = longSystem('shipping');
    const chat = (question: string, extra: ChatParams = {}) =>
      openai.chat.completions.create({
        model: 'gpt-test-pc',
        temperature: 0,
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: question },
        ],
        ...extra,
      });
    await chat('Do you ship to Norway?');
    const second = await chat('Do you ship to Chile?');
    await chat('Do you ship to Peru?', { prompt_cache_key: 'mine' });
    const keyOf = (q: string) => (fake.chatCalls(q)[0]?.body as { prompt_cache_key?: string }).prompt_cache_key;
    expect(keyOf('Norway')).toMatch(/^strata-[0-9a-f]{40}$/);
    expect(keyOf('Chile')).toBe(keyOf('Norway'));
    expect(keyOf('Peru')).toBe('mine');
    expect(second.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThanOrEqual(1_024);
    expect(
      await metric(/^strata_upstream_tokens_total\{model="gpt-test-pc",tenant="acme",kind="cache_read"\} (\d+)/m),
    ).toBeGreaterThanOrEqual(1_024);
  });

  it('reports prefix stability per namespace: reuse, frequent prefixes, volatile content with a hint', async () => {
    const headers = { 'x-strata-namespace': 'diag' };
    const hashes: (string | null)[] = [];
    for (const [i, at] of ['10:15:02', '10:15:09', '10:16:40'].entries()) {
      const res = await create(
        acme,
        ask('claude-test-g', `Question ${i}?`, { system: `You are the shop bot. Now: 2026-12-04T${at}Z. Be brief.` }),
        headers,
      );
      hashes.push(res.response.headers.get('x-strata-prefix-hash'));
    }
    const steady = await create(acme, ask('claude-test-g', 'Question 4?'), headers);
    await create(acme, ask('claude-test-g', 'Question 5?'), headers);
    expect(hashes.every((h) => /^[0-9a-f]{16}$/.test(h ?? ''))).toBe(true);
    expect(new Set(hashes).size).toBe(3);

    const report = await http(strata.url, 'GET', '/v1/prompt-cache/report?namespace=diag', { apiKey: ACME });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ namespace: 'diag', requests: 5, reuseRate: 0.2 });
    expect(report.body.topPrefixes[0]).toMatchObject({
      hash: steady.response.headers.get('x-strata-prefix-hash'),
      requests: 2,
    });
    expect(report.body.volatile[0]).toMatchObject({
      kind: 'timestamp',
      occurrences: 2,
      lastExample: { previous: '2026-12-04T10:15:09Z.', current: '2026-12-04T10:16:40Z.' },
    });
    expect(
      (await http(strata.url, 'GET', '/v1/prompt-cache/report?namespace=diag', { apiKey: GLOBEX })).body.requests,
    ).toBe(0);
    const bad = await http(strata.url, 'GET', '/v1/prompt-cache/report?namespace=%20bad', { apiKey: ACME });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
  });
});
