import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible `/v1/embeddings` server standing in for a strong embedding model: every text of a
 * labelled group of paraphrases embeds near its group's direction, with controlled noise, so paraphrases
 * are far closer to each other than to any other group's near misses (much more than GloVe manages).
 * Texts outside every group get their own random direction.
 */
export class ParaphraseEmbeddingsServer {
  private server: Server | undefined;
  private port = 0;
  private readonly directions = new Map<number, number[]>();

  constructor(
    private readonly groupOf: ReadonlyMap<string, number>,
    private readonly noise = 0.35,
    private readonly dimensions = 64,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The vector of one text (also what the server answers). */
  vector(text: string): number[] {
    const group = this.groupOf.get(text);
    const base = group === undefined ? gaussian(`text:${text}`, this.dimensions) : this.direction(group);
    const jitter = unit(gaussian(`noise:${text}`, this.dimensions));
    return unit(base.map((x, d) => x + this.noise * jitter[d]));
  }

  private direction(group: number): number[] {
    let d = this.directions.get(group);
    if (d === undefined) this.directions.set(group, (d = unit(gaussian(`group:${group}`, this.dimensions))));
    return d;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input?: string | string[]; model?: string };
    const inputs = typeof body.input === 'string' ? [body.input] : (body.input ?? []);
    const text = JSON.stringify({
      object: 'list',
      model: body.model ?? 'fake-strong',
      data: inputs.map((input, index) => ({ object: 'embedding', index, embedding: this.vector(input) })),
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

/** Deterministic standard-normal draws from a seed string (xorshift + Box–Muller). */
function gaussian(seed: string, n: number): number[] {
  let s = 2166136261;
  for (let i = 0; i < seed.length; i++) s = Math.imul(s ^ seed.charCodeAt(i), 16777619) >>> 0;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 1) / 4294967297;
  };
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next()));
}

function unit(v: readonly number[]): number[] {
  const norm = Math.sqrt(v.reduce((sum, x) => sum + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}
