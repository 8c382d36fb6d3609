import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import { LocalEmbeddingProvider } from '@strata/embedding-local';

/**
 * An OpenAI-compatible `/v1/embeddings` server for failure tests, answering with the local model's
 * vectors (so paraphrases really are close, as with a real provider). A test takes it away and brings
 * it back on the same port: `stop()` (connections refused), `hang()` (requests accepted, never
 * answered), `start()` (serving again).
 */
export class FakeEmbeddingsServer {
  /** Embedding requests answered (not those refused or held). */
  answered = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private hanging = false;

  private constructor(
    private readonly provider: LocalEmbeddingProvider,
    private port: number,
  ) {}

  static async start(): Promise<FakeEmbeddingsServer> {
    const server = new FakeEmbeddingsServer(await LocalEmbeddingProvider.load(), 0);
    await server.start();
    return server;
  }

  /** Base URL for `EMBEDDING_URL` (an API base ending in `/v1`, like OpenAI's). */
  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Serves again (on the same port once it had one); releases nothing held by `hang()` (those callers timed out). */
  async start(): Promise<void> {
    this.hanging = false;
    if (this.server) return;
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** The provider is down: open connections are dropped and new ones refused. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The provider hangs: requests are read and never answered (until the client gives up). */
  hang(): void {
    this.hanging = true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (this.hanging) return;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || path !== '/v1/embeddings')
      return this.json(res, 404, {
        error: { message: `no route ${req.method ?? ''} ${path ?? ''}`, type: 'invalid_request_error' },
      });
    const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model?: string; input?: string | string[] };
    const inputs = typeof request.input === 'string' ? [request.input] : (request.input ?? []);
    const vectors = await this.provider.embed(inputs);
    this.answered++;
    this.json(res, 200, {
      object: 'list',
      data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
      model: request.model ?? 'fake-embed',
      usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
    });
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}
