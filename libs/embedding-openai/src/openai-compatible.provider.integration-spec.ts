import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { EmbeddingError, EmbeddingErrorCode, EmbeddingService } from '@strata/embedding';
import { type OpenAiCompatibleProviderOptions, type ProviderRetryEvent } from './openai-compatible-provider.options';
import { OpenAiCompatibleProvider } from './openai-compatible.provider';

interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: { model?: string; input?: string[]; dimensions?: number } & Record<string, unknown>;
}

type Handler = (request: RecordedRequest, response: ServerResponse) => void;

/** A deterministic vector per text, of any length. */
function vectorOf(text: string, dimensions: number): number[] {
  return Array.from({ length: dimensions }, (_, i) => (text.charCodeAt(i % Math.max(1, text.length)) || 0) / 100 + i);
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Answers like OpenAI: `{object:'list', data:[{object:'embedding', index, embedding}], model, usage}`. */
function embeddings(options: { dimensions?: number; reverse?: boolean } = {}): Handler {
  return (request, response) => {
    const inputs = request.body.input ?? [];
    const dimensions = options.dimensions ?? request.body.dimensions ?? 4;
    const data = inputs.map((text, index) => ({ object: 'embedding', index, embedding: vectorOf(text, dimensions) }));
    if (options.reverse) data.reverse();
    json(response, 200, {
      object: 'list',
      data,
      model: request.body.model,
      usage: { prompt_tokens: 1, total_tokens: 1 },
    });
  };
}

/** A fake OpenAI-compatible server: answers with queued handlers in order, then with `fallback`. */
class FakeEmbeddingsServer {
  readonly requests: RecordedRequest[] = [];
  readonly #queue: Handler[] = [];
  fallback: Handler = embeddings();
  #server: Server | undefined;

  get url(): string {
    const { port } = this.#server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  then(...handlers: Handler[]): this {
    this.#queue.push(...handlers);
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.#queue.length = 0;
    this.fallback = embeddings();
  }

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const raw = Buffer.concat(chunks).toString('utf8');
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: raw === '' ? {} : (JSON.parse(raw) as RecordedRequest['body']),
        };
        this.requests.push(recorded);
        (this.#queue.shift() ?? this.fallback)(recorded, res);
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }
}

async function rejectionOf(promise: Promise<unknown>): Promise<EmbeddingError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EmbeddingError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe(OpenAiCompatibleProvider.name, () => {
  const server = new FakeEmbeddingsServer();
  const API_KEY = 'sk-test-0123456789abcdef';
  let sleeps: number[];
  let retries: ProviderRetryEvent[];

  function provider(options: Partial<OpenAiCompatibleProviderOptions> = {}): OpenAiCompatibleProvider {
    return new OpenAiCompatibleProvider({
      url: server.url,
      model: 'text-embedding-3-small',
      apiKey: API_KEY,
      timeoutMs: 2_000,
      maxRetries: 2,
      backoffBaseMs: 10,
      backoffMaxMs: 40,
      onRetry: (event) => retries.push(event),
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      ...options,
    });
  }

  beforeAll(() => server.start());
  afterAll(() => server.stop());
  beforeEach(() => {
    server.reset();
    sleeps = [];
    retries = [];
  });

  it('POSTs {model, input} to /v1/embeddings with a Bearer key and returns one vector per input', async () => {
    const sut = provider();

    const vectors = await sut.embed(['hello', 'world']);

    expect(vectors).toEqual([vectorOf('hello', 4), vectorOf('world', 4)]);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/v1/embeddings',
      body: { model: 'text-embedding-3-small', input: ['hello', 'world'] },
    });
    expect(request.body).not.toHaveProperty('dimensions');
    expect(request.headers['authorization']).toBe(`Bearer ${API_KEY}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(sut.dimensions).toBe(4);
  });

  it.each(['', '/', '/v1', '/v1/', '/v1/embeddings'])(
    'reaches /v1/embeddings from the base URL suffix "%s"',
    async (suffix) => {
      await provider({ url: `${server.url}${suffix}` }).embed(['x']);

      expect(server.requests[0].path).toBe('/v1/embeddings');
    },
  );

  it('sends no Authorization header without a key (Ollama, TEI, vLLM without auth)', async () => {
    await provider({ apiKey: undefined }).embed(['x']);

    expect(server.requests[0].headers).not.toHaveProperty('authorization');
  });

  it('speaks Azure OpenAI: api-key header and api-version on a deployment URL', async () => {
    const sut = provider({
      url: `${server.url}/openai/deployments/emb-small`,
      auth: 'api-key',
      apiVersion: '2024-10-21',
    });

    await sut.embed(['x']);

    const [request] = server.requests;
    expect(request.path).toBe('/openai/deployments/emb-small/embeddings');
    expect(request.query.get('api-version')).toBe('2024-10-21');
    expect(request.headers['api-key']).toBe(API_KEY);
    expect(request.headers).not.toHaveProperty('authorization');
  });

  it('asks for the configured dimensions and accepts vectors of that length', async () => {
    const vectors = await provider({ dimensions: 8 }).embed(['x']);

    expect(server.requests[0].body.dimensions).toBe(8);
    expect(vectors[0]).toHaveLength(8);
  });

  it('checks but does not send dimensions when sendDimensions is false', async () => {
    server.fallback = embeddings({ dimensions: 8 });

    await provider({ dimensions: 8, sendDimensions: false }).embed(['x']);

    expect(server.requests[0].body).not.toHaveProperty('dimensions');
  });

  it('orders vectors by index when the server answers out of order', async () => {
    server.fallback = embeddings({ reverse: true });

    const vectors = await provider().embed(['first', 'second', 'third']);

    expect(vectors).toEqual([vectorOf('first', 4), vectorOf('second', 4), vectorOf('third', 4)]);
  });

  it('retries a 500 with backoff and returns the next success', async () => {
    server.then((_req, res) => json(res, 500, { error: { message: 'The server had an error', type: 'server_error' } }));

    const vectors = await provider().embed(['x']);

    expect(vectors).toEqual([vectorOf('x', 4)]);
    expect(server.requests).toHaveLength(2);
    expect(retries).toEqual([
      expect.objectContaining({ attempt: 1, code: EmbeddingErrorCode.PROVIDER_UNAVAILABLE, status: 500 }),
    ]);
    expect(sleeps[0]).toBeGreaterThanOrEqual(5);
    expect(sleeps[0]).toBeLessThanOrEqual(10);
  });

  it('doubles the backoff per retry up to the maximum and then fails with PROVIDER_UNAVAILABLE', async () => {
    server.fallback = (_req, res) => json(res, 503, { error: { message: 'overloaded' } });

    const error = await rejectionOf(provider({ maxRetries: 4 }).embed(['x']));

    expect(error).toMatchObject({ code: EmbeddingErrorCode.PROVIDER_UNAVAILABLE, status: 503, retryable: true });
    expect(error.message).toContain('overloaded');
    expect(server.requests).toHaveLength(5);
    const ceilings = [10, 20, 40, 40];
    sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(ceilings[i] / 2);
      expect(ms).toBeLessThanOrEqual(ceilings[i]);
    });
  });

  it('waits as long as a 429 Retry-After asks before retrying', async () => {
    server.then((_req, res) => json(res, 429, { error: { message: 'Rate limit reached' } }, { 'retry-after': '2' }));

    const vectors = await provider().embed(['x']);

    expect(vectors).toHaveLength(1);
    expect(sleeps).toEqual([2_000]);
    expect(retries[0]).toMatchObject({ code: EmbeddingErrorCode.PROVIDER_RATE_LIMITED, status: 429, delayMs: 2_000 });
  });

  it('honours retry-after-ms as OpenAI sends it', async () => {
    server.then((_req, res) => json(res, 429, { error: { message: 'slow down' } }, { 'retry-after-ms': '120' }));

    await provider().embed(['x']);

    expect(sleeps).toEqual([120]);
  });

  it('gives up with PROVIDER_RATE_LIMITED when Retry-After exceeds what it may wait', async () => {
    server.then((_req, res) => json(res, 429, { error: { message: 'quota' } }, { 'retry-after': '3600' }));

    const error = await rejectionOf(provider({ maxRetryAfterMs: 10_000 }).embed(['x']));

    expect(error).toMatchObject({
      code: EmbeddingErrorCode.PROVIDER_RATE_LIMITED,
      retryAfterMs: 3_600_000,
      retryable: true,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('fails a 401 at once with PROVIDER_REJECTED and never repeats the key in the message', async () => {
    server.fallback = (req, res) =>
      json(res, 401, {
        error: {
          message: `Incorrect API key provided: ${String(req.headers['authorization'])}`,
          code: 'invalid_api_key',
        },
      });

    const error = await rejectionOf(provider().embed(['x']));

    expect(error).toMatchObject({ code: EmbeddingErrorCode.PROVIDER_REJECTED, status: 401, retryable: false });
    expect(error.message).toContain('Incorrect API key provided');
    expect(error.message).not.toContain(API_KEY);
    expect(server.requests).toHaveLength(1);
    expect(retries).toHaveLength(0);
  });

  it('maps 413 and an exceeded context length to INPUT_TOO_LARGE without retrying', async () => {
    server.then(
      (_req, res) =>
        json(res, 413, {
          error: 'Input validation error: `inputs` must have less than 512 tokens',
          error_type: 'Validation',
        }),
      (_req, res) =>
        json(res, 400, {
          error: { message: "This model's maximum context length is 8192 tokens, however you requested 9000 tokens" },
        }),
    );

    const tei = await rejectionOf(provider().embed(['long']));
    const openai = await rejectionOf(provider().embed(['long']));

    expect([tei.code, openai.code]).toEqual([EmbeddingErrorCode.INPUT_TOO_LARGE, EmbeddingErrorCode.INPUT_TOO_LARGE]);
    expect(tei.message).toContain('must have less than 512 tokens');
    expect(server.requests).toHaveLength(2);
  });

  it('fails with PROVIDER_TIMEOUT when the server does not answer in time', async () => {
    server.fallback = () => undefined; // hold the request open

    const error = await rejectionOf(provider({ timeoutMs: 50, maxRetries: 1 }).embed(['x']));

    expect(error).toMatchObject({ code: EmbeddingErrorCode.PROVIDER_TIMEOUT, retryable: true });
    expect(error.message).toContain('50 ms');
    expect(server.requests).toHaveLength(2);
  });

  it('times out a response whose body never finishes', async () => {
    server.fallback = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":[');
    };

    const error = await rejectionOf(provider({ timeoutMs: 50, maxRetries: 0 }).embed(['x']));

    expect(error.code).toBe(EmbeddingErrorCode.PROVIDER_TIMEOUT);
  });

  it('fails with DIMENSION_MISMATCH when vectors do not have the configured length', async () => {
    server.fallback = embeddings({ dimensions: 4 });

    const error = await rejectionOf(provider({ dimensions: 8 }).embed(['x']));

    expect(error).toMatchObject({ code: EmbeddingErrorCode.DIMENSION_MISMATCH, retryable: false });
    expect(error.message).toMatch(/returned a 4-dimensional vector, expected 8 \(the configured dimensions\)/);
    expect(server.requests).toHaveLength(1);
  });

  it('holds later answers to the length of the first one when no dimensions are configured', async () => {
    const sut = provider();
    await sut.embed(['x']);
    server.fallback = embeddings({ dimensions: 5 });

    const error = await rejectionOf(sut.embed(['y']));

    expect(error.code).toBe(EmbeddingErrorCode.DIMENSION_MISMATCH);
    expect(error.message).toContain('expected 4 (the length this provider returned before)');
  });

  it('fails with BAD_RESPONSE on a body that is not JSON, without retrying', async () => {
    server.fallback = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data": [ this is not json');
    };

    const error = await rejectionOf(provider().embed(['x']));

    expect(error).toMatchObject({ code: EmbeddingErrorCode.BAD_RESPONSE, status: 200, retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('fails with BAD_RESPONSE when the server returns fewer embeddings than inputs', async () => {
    server.fallback = (req, res) => embeddings()({ ...req, body: { ...req.body, input: ['only one'] } }, res);

    const error = await rejectionOf(provider().embed(['a', 'b']));

    expect(error.code).toBe(EmbeddingErrorCode.BAD_RESPONSE);
    expect(error.message).toContain('expected 2 embeddings, got 1');
  });

  it('fails with PROVIDER_UNAVAILABLE after its retries when nothing listens', async () => {
    const closed = new FakeEmbeddingsServer();
    await closed.start();
    const url = closed.url;
    await closed.stop();

    const error = await rejectionOf(provider({ url, maxRetries: 1 }).embed(['x']));

    expect(error).toMatchObject({ code: EmbeddingErrorCode.PROVIDER_UNAVAILABLE, retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
    expect(retries).toHaveLength(1);
  });

  it('serves an EmbeddingService: concurrent callers share batched calls and repeats come from the cache', async () => {
    const store = new Map<string, number[]>();
    const cache = {
      getMany: (keys: readonly string[]) => Promise.resolve(keys.map((key) => store.get(key))),
      setMany: (entries: readonly (readonly [string, number[]])[]) => {
        for (const [key, vector] of entries) store.set(key, vector);
        return Promise.resolve();
      },
    };
    const service = new EmbeddingService(provider(), cache, { batchSize: 4, batchWindowMs: 5 });
    const texts = Array.from({ length: 10 }, (_, i) => `question ${i}`);

    const results = await Promise.all(texts.map((text) => service.embed([text])));

    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((request) => request.body.input!.length).sort()).toEqual([2, 4, 4]);
    results.forEach((result, i) =>
      expect(result).toEqual({ model: 'text-embedding-3-small', dimensions: 4, vectors: [vectorOf(texts[i], 4)] }),
    );
  });
});
