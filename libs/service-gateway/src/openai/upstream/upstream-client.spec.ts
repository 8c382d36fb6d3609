import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { loadConfig } from '@strata/config';
import { Deadline } from './deadline';
import { type UpstreamCall, UpstreamClient, UpstreamFailure } from './upstream-client';
import { upstreamTarget } from './upstream-router';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly socket: number;
}

/** A local upstream that records every request and answers with `answer`. */
async function upstreamServer(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  let sockets = 0;
  const ids = new WeakMap<object, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        socket: ids.get(req.socket) ?? -1,
      });
      answer(req, res);
    });
  });
  server.on('connection', (socket) => ids.set(socket, ++sockets));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    connections: () => sockets,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const config = loadConfig({ UPSTREAM_TIMEOUT_MS: '500' });

function call(
  baseUrl: string,
  overrides: Partial<UpstreamCall> & { readonly signal?: AbortSignal } = {},
): UpstreamCall & { readonly signal: AbortSignal } {
  return {
    target: upstreamTarget(baseUrl, undefined, 'authorization'),
    endpoint: 'chat',
    method: 'POST',
    path: '/chat/completions',
    body: '{"model":"m"}',
    credentials: { authorization: 'Bearer client-key' },
    signal: new AbortController().signal,
    ...overrides,
  };
}

describe(UpstreamClient.name, () => {
  const clients: UpstreamClient[] = [];
  const servers: { close(): Promise<void> }[] = [];
  const client = () => {
    const sut = new UpstreamClient(config);
    clients.push(sut);
    return sut;
  };

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.onApplicationShutdown()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('sends the call to the base URL path with its query, and reuses its connections (keep-alive pool)', async () => {
    const upstream = await upstreamServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_9', 'set-cookie': 'a=b' });
      res.end('{"ok":true}');
    });
    servers.push(upstream);
    const sut = client();
    const target = upstreamTarget(`${upstream.url}/openai/v1/?api-version=2024-10-21`, undefined, 'authorization');

    const first = await sut.exchange(call(upstream.url, { target }));
    const second = await sut.exchange(call(upstream.url, { target }));

    expect(first).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json', 'x-upstream-request-id': 'req_9' },
      body: '{"ok":true}',
    });
    expect(second.body).toBe('{"ok":true}');
    expect(upstream.seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['POST', '/openai/v1/chat/completions?api-version=2024-10-21', '{"model":"m"}'],
      ['POST', '/openai/v1/chat/completions?api-version=2024-10-21', '{"model":"m"}'],
    ]);
    for (let i = 0; i < 8; i++) await sut.exchange(call(upstream.url, { target }));
    // undici frees a connection a moment after the body is read: the second call may open one more, none after that.
    expect(upstream.connections()).toBeLessThanOrEqual(2);
  });

  it("uses the configured key in place of the client's credentials, and the client's when none is configured", async () => {
    const upstream = await upstreamServer((_req, res) => res.end('{}'));
    servers.push(upstream);
    const sut = client();

    await sut.exchange(call(upstream.url, { target: upstreamTarget(upstream.url, 'configured-key', 'api-key') }));
    await sut.exchange(call(upstream.url));

    const [withKey, withClient] = upstream.seen;
    expect(withKey?.headers['api-key']).toBe('configured-key');
    expect(withKey?.headers.authorization).toBeUndefined();
    expect(withClient?.headers.authorization).toBe('Bearer client-key');
    expect(withClient?.headers['content-type']).toBe('application/json');
    expect(withClient?.headers.accept).toBe('application/json');
  });

  it('hands a stream over chunk by chunk as it arrives', async () => {
    const upstream = await upstreamServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
      setTimeout(() => res.end('data: [DONE]\n\n'), 20);
    });
    servers.push(upstream);
    const sut = client();

    const response = await sut.open(call(upstream.url, { stream: true }));
    const chunks: string[] = [];
    for await (const chunk of response.chunks()) chunks.push(Buffer.from(chunk).toString());

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream');
    expect(chunks.join('')).toBe('data: 1\n\ndata: [DONE]\n\n');
    expect(upstream.seen[0]?.headers.accept).toBe('text/event-stream');
  });

  it('tells a slow upstream (504) from an unreachable one (502) and from a client that went away (499)', async () => {
    const silent = await upstreamServer(() => undefined);
    servers.push(silent);
    const closed = await upstreamServer((_req, res) => res.end('{}'));
    await closed.close();
    const sut = client();

    const slow = await sut.exchange(call(silent.url)).catch((error: unknown) => error);
    const away = await sut.exchange(call(closed.url)).catch((error: unknown) => error);
    const abort = new AbortController();
    const deadline = new Deadline(abort.signal, 5_000);
    const opening = sut.open({ ...call(silent.url), signal: deadline.signal });
    abort.abort();
    const gone = await opening.catch((error: unknown) =>
      sut.failure(call(silent.url, { signal: abort.signal }), error, deadline),
    );
    deadline.clear();

    expect(slow).toBeInstanceOf(UpstreamFailure);
    expect((slow as UpstreamFailure).status).toBe(504);
    expect((away as UpstreamFailure).status).toBe(502);
    expect((gone as UpstreamFailure).status).toBe(499);
  });
});
