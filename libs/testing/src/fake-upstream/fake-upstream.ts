import { createHash } from 'node:crypto';
import {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
} from 'node:http';
import { type AddressInfo } from 'node:net';
import { FakeAnthropicPromptCache, FakeOpenAiPromptCache } from './fake-prompt-cache';

export interface FakeUpstreamOptions {
  /** Delay before each answer (ms). */
  readonly latencyMs?: number;
  /** Delay between stream chunks (ms); 0 writes the chunks one after the other at once. */
  readonly chunkDelayMs?: number;
  /** Words of content per stream chunk. */
  readonly wordsPerChunk?: number;
  readonly embeddingDimensions?: number;
  readonly models?: readonly string[];
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (else 401); `/v1/messages` requests `x-api-key: <apiKey>`. */
  readonly apiKey?: string;
}

/** A latch a test opens by hand: rules hold answers or streams until it is released. */
export class FakeGate {
  private open!: () => void;
  readonly released: Promise<void> = new Promise((resolve) => (this.open = resolve));

  release(): void {
    this.open();
  }
}

/** A scripted behaviour for chat requests whose last user message contains `match` (all when omitted). */
export interface FakeRule {
  readonly match?: string;
  /** Requests it applies to, then it is spent (default: every matching request). */
  readonly times?: number;
  /** Answer with this status and `body` (default body: an OpenAI-style error). */
  readonly status?: number;
  readonly body?: unknown;
  readonly latencyMs?: number;
  /** Hold the answer, before any header, until the gate is released. */
  readonly holdUntil?: FakeGate;
  /** Streams: after this many chunks, wait for `resumeOn` (or for the client to go away). */
  readonly pauseAfterChunks?: number;
  readonly resumeOn?: FakeGate;
  /** Streams: after this many chunks, cut the connection (no `[DONE]`). */
  readonly breakAfterChunks?: number;
  /** Streams: after this many chunks, send `data: {"error": ...}`, then `[DONE]`. */
  readonly errorAfterChunks?: number;
  /** The answer's text (default: `Answer #<call> to: <question>`). */
  readonly content?: string;
}

export interface FakeUpstreamRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  /** The client went away before the answer was complete. */
  aborted: boolean;
  /** The answer was sent in full. */
  completed: boolean;
}

interface ActiveRule extends FakeRule {
  remaining: number;
}

const CREATED = 1_700_000_000;

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function lastUserText(body: unknown): string {
  const messages = (body as { messages?: { role?: string; content?: unknown }[] } | undefined)?.messages;
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role === 'user') return typeof m.content === 'string' ? m.content : JSON.stringify(m.content);
  }
  return '';
}

function promptTokens(body: unknown): number {
  const messages = (body as { messages?: { content?: unknown }[] } | undefined)?.messages ?? [];
  return messages.reduce((sum, m) => sum + wordCount(typeof m.content === 'string' ? m.content : ''), 0);
}

/** A chat completion as an OpenAI-compatible upstream returns it. */
export function fakeCompletion(
  id: string,
  model: string,
  content: string,
  prompt: number,
  cachedTokens = 0,
): Record<string, unknown> {
  return {
    id,
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: wordCount(content),
      total_tokens: prompt + wordCount(content),
      prompt_tokens_details: { cached_tokens: cachedTokens },
    },
    system_fingerprint: 'fp_fake',
  };
}

function fakeVector(text: string, dimensions: number): number[] {
  const digest = createHash('sha256').update(text).digest();
  return Array.from(
    { length: dimensions },
    (_, i) => Math.round(((digest[i % digest.length] ?? 0) / 127.5 - 1) * 1e6) / 1e6,
  );
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/**
 * A local OpenAI-compatible upstream for tests and benchmarks: `/v1/chat/completions` (JSON and SSE,
 * with `stream_options.include_usage`), `/v1/embeddings` (float and base64), `/v1/models`, and the
 * Anthropic Messages API `/v1/messages` (JSON and named SSE events). Both chat APIs report usage from a
 * simulated provider prompt cache (`cached_tokens`; `cache_read_input_tokens`, `cache_creation_input_tokens`). It counts and
 * records every request, and follows scripted rules: latency, error statuses, held answers, paused,
 * broken or failing streams. Answers differ per call (`Answer #n to: ...`), so a test can tell a
 * cached answer from a fresh one.
 */
export class FakeUpstream {
  readonly requests: FakeUpstreamRequest[] = [];
  private readonly rules: ActiveRule[] = [];
  private chatCount = 0;
  private holding = 0;
  private connectionCount = 0;
  private readonly anthropicCache = new FakeAnthropicPromptCache();
  private readonly openAiCache = new FakeOpenAiPromptCache();

  private readonly server: Server;
  private baseUrl = '';

  private constructor(private readonly options: FakeUpstreamOptions) {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', () => this.connectionCount++);
  }

  /** TCP connections accepted so far (a pooled client reuses its connections). */
  get connections(): number {
    return this.connectionCount;
  }

  /** Starts a fake upstream on 127.0.0.1 and a free port. */
  static async start(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
    const fake = new FakeUpstream(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const { port } = fake.server.address() as AddressInfo;
    fake.baseUrl = `http://127.0.0.1:${port}/v1`;
    return fake;
  }

  /** Base URL including `/v1`, as OpenAI clients and Strata's `UPSTREAM_URL` expect. */
  get url(): string {
    return this.baseUrl;
  }

  /** Adds a rule (first added, first applied); returns its removal. */
  rule(rule: FakeRule): () => void {
    const active: ActiveRule = { ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY };
    this.rules.push(active);
    return () => {
      const i = this.rules.indexOf(active);
      if (i >= 0) this.rules.splice(i, 1);
    };
  }

  /** Anthropic Messages requests, optionally only those whose last user message contains `text`. */
  messageCalls(text?: string): FakeUpstreamRequest[] {
    return this.requests.filter(
      (r) => r.path === '/v1/messages' && (text === undefined || lastUserText(r.body).includes(text)),
    );
  }

  /** Chat-completions requests, optionally only those whose last user message contains `text`. */
  chatCalls(text?: string): FakeUpstreamRequest[] {
    return this.requests.filter(
      (r) => r.path === '/v1/chat/completions' && (text === undefined || lastUserText(r.body).includes(text)),
    );
  }

  /** Requests currently held by a gate. */
  get held(): number {
    return this.holding;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      return this.json(res, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error', code: null } });
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const record: FakeUpstreamRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      aborted: false,
      completed: false,
    };
    this.requests.push(record);
    res.once('close', () => {
      if (!res.writableFinished) record.aborted = true;
      else record.completed = true;
    });

    if (path === '/v1/messages') {
      if (this.options.apiKey !== undefined && req.headers['x-api-key'] !== this.options.apiKey) {
        return this.json(res, 401, {
          type: 'error',
          error: { type: 'authentication_error', message: 'invalid x-api-key' },
        });
      }
      if (req.method === 'POST') return this.messages(body, res);
    }
    if (this.options.apiKey !== undefined && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      return this.json(res, 401, {
        error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
      });
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') return this.chat(body, res);
    if (req.method === 'POST' && path === '/v1/embeddings') return this.embeddings(body, res);
    if (req.method === 'GET' && path === '/v1/models')
      return this.json(res, 200, { object: 'list', data: this.modelIds().map((id) => this.model(id)) });
    if (req.method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (this.modelIds().includes(id)) return this.json(res, 200, this.model(id));
      return this.json(res, 404, {
        error: { message: `The model '${id}' does not exist`, type: 'invalid_request_error', code: 'model_not_found' },
      });
    }
    return this.json(res, 404, {
      error: { message: `no route ${req.method ?? ''} ${path}`, type: 'invalid_request_error', code: null },
    });
  }

  private modelIds(): readonly string[] {
    return this.options.models ?? ['fake-chat', 'fake-embed'];
  }

  private model(id: string): object {
    return { id, object: 'model', created: CREATED, owned_by: 'fake' };
  }

  private takeRule(question: string): ActiveRule | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && (r.match === undefined || question.includes(r.match)));
    if (rule) rule.remaining--;
    return rule;
  }

  private async chat(body: unknown, res: ServerResponse): Promise<void> {
    const call = ++this.chatCount;
    const question = lastUserText(body);
    const rule = this.takeRule(question);
    await delay(rule?.latencyMs ?? this.options.latencyMs ?? 0);
    if (rule?.holdUntil) {
      this.holding++;
      await Promise.race([rule.holdUntil.released, new Promise((resolve) => res.once('close', resolve))]);
      this.holding--;
      if (res.destroyed) return;
    }
    if (rule?.status !== undefined) {
      return this.json(
        res,
        rule.status,
        rule.body ?? { error: { message: `scripted failure ${rule.status}`, type: 'server_error', code: null } },
      );
    }
    const request = (body ?? {}) as { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } };
    const model = request.model ?? 'fake-chat';
    const content = rule?.content ?? `Answer #${call} to: ${question}`;
    const completion = fakeCompletion(
      `chatcmpl-fake-${call}`,
      model,
      content,
      promptTokens(body),
      this.openAiCache.cachedTokens(request),
    );
    if (request.stream !== true) return this.json(res, 200, completion);
    await this.stream(res, completion, content, request.stream_options?.include_usage === true, rule);
  }

  private async stream(
    res: ServerResponse,
    completion: Record<string, unknown>,
    content: string,
    includeUsage: boolean,
    rule: FakeRule | undefined,
  ): Promise<void> {
    const base = {
      id: completion['id'],
      object: 'chat.completion.chunk',
      created: CREATED,
      model: completion['model'],
      system_fingerprint: 'fp_fake',
    };
    const chunk = (delta: object, finish: string | null = null) => ({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
    const words = content.split(' ');
    const per = this.options.wordsPerChunk ?? 1;
    const events: object[] = [chunk({ role: 'assistant', content: '', refusal: null })];
    for (let i = 0; i < words.length; i += per)
      events.push(chunk({ content: (i === 0 ? '' : ' ') + words.slice(i, i + per).join(' ') }));
    events.push(chunk({}, 'stop'));
    if (includeUsage) events.push({ ...base, choices: [], usage: completion['usage'] });

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': `req_${String(completion['id'])}`,
    });
    res.flushHeaders();
    const gap = this.options.chunkDelayMs ?? 0;
    for (let i = 0; i < events.length; i++) {
      if (res.destroyed) return;
      if (rule?.breakAfterChunks === i) {
        res.destroy();
        return;
      }
      if (rule?.errorAfterChunks === i) {
        res.write(
          `data: ${JSON.stringify({ error: { message: 'scripted stream failure', type: 'server_error', code: null } })}\n\n`,
        );
        break;
      }
      if (rule?.pauseAfterChunks === i) {
        this.holding++;
        await Promise.race([
          rule.resumeOn?.released ?? new Promise(() => undefined),
          new Promise((resolve) => res.once('close', resolve)),
        ]);
        this.holding--;
        if (res.destroyed) return;
      }
      res.write(`data: ${JSON.stringify(events[i])}\n\n`);
      if (gap > 0) await delay(gap);
    }
    res.end('data: [DONE]\n\n');
  }

  /** `POST /v1/messages` as the Anthropic Messages API answers it (JSON or named SSE events), its usage from a simulated prompt cache. */
  private async messages(body: unknown, res: ServerResponse): Promise<void> {
    const call = ++this.chatCount;
    const question = lastUserText(body);
    const rule = this.takeRule(question);
    await delay(rule?.latencyMs ?? this.options.latencyMs ?? 0);
    if (rule?.holdUntil) {
      this.holding++;
      await Promise.race([rule.holdUntil.released, new Promise((resolve) => res.once('close', resolve))]);
      this.holding--;
      if (res.destroyed) return;
    }
    if (rule?.status !== undefined) {
      return this.json(
        res,
        rule.status,
        rule.body ?? { type: 'error', error: { type: 'api_error', message: `scripted failure ${rule.status}` } },
      );
    }
    const request = (body ?? {}) as Record<string, unknown>;
    const model = typeof request['model'] === 'string' ? request['model'] : 'fake-claude';
    const content = rule?.content ?? `Answer #${call} to: ${question}`;
    const usage = { ...this.anthropicCache.usage(request), output_tokens: wordCount(content) };
    const message = {
      id: `msg_fake_${call}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: content }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage,
    };
    if (request['stream'] !== true) return this.json(res, 200, message);

    const words = content.split(' ');
    const per = this.options.wordsPerChunk ?? 1;
    const events: { type: string; [field: string]: unknown }[] = [
      {
        type: 'message_start',
        message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
    ];
    for (let i = 0; i < words.length; i += per) {
      events.push({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: (i === 0 ? '' : ' ') + words.slice(i, i + per).join(' ') },
      });
    }
    events.push({ type: 'content_block_stop', index: 0 });
    events.push({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    });
    events.push({ type: 'message_stop' });

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'request-id': `req_${message.id}`,
    });
    res.flushHeaders();
    const gap = this.options.chunkDelayMs ?? 0;
    for (let i = 0; i < events.length; i++) {
      if (res.destroyed) return;
      if (rule?.breakAfterChunks === i) {
        res.destroy();
        return;
      }
      if (rule?.errorAfterChunks === i) {
        res.end(
          `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'scripted stream failure' } })}\n\n`,
        );
        return;
      }
      res.write(`event: ${events[i]?.type ?? ''}\ndata: ${JSON.stringify(events[i])}\n\n`);
      if (gap > 0) await delay(gap);
    }
    res.end();
  }

  private embeddings(body: unknown, res: ServerResponse): void {
    const request = (body ?? {}) as { model?: string; input?: string | string[]; encoding_format?: string };
    const inputs =
      typeof request.input === 'string' ? [request.input] : Array.isArray(request.input) ? request.input : [];
    const dimensions = this.options.embeddingDimensions ?? 8;
    const data = inputs.map((text, index) => {
      const vector = fakeVector(String(text), dimensions);
      const embedding =
        request.encoding_format === 'base64'
          ? Buffer.from(Float32Array.from(vector).buffer).toString('base64')
          : vector;
      return { object: 'embedding', index, embedding };
    });
    const tokens = inputs.reduce((sum, text) => sum + wordCount(String(text)), 0);
    this.json(res, 200, {
      object: 'list',
      data,
      model: request.model ?? 'fake-embed',
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-request-id': `req_fake_${this.requests.length}`,
    });
    res.end(text);
  }
}
