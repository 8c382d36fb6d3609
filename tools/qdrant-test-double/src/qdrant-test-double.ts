import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { InMemoryCollection } from './in-memory-collection';
import { QdrantHttpError } from './qdrant-http-error';

/** What the double tells `GET /` (a version the 1.17 client accepts as compatible). */
export const QDRANT_TEST_DOUBLE_VERSION = '1.17.0';

/** Qdrant's default `service.max_request_size_mb`. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

const INVALID_NAME_CHARS = /[<>:"/\\|?*]/;

function isValidCollectionName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !INVALID_NAME_CHARS.test(name) && ![...name].some((c) => c < ' ');
}

export interface QdrantTestDoubleRequest {
  readonly method: string;
  /** Decoded path, e.g. `/collections/strata_glove/points/query`. */
  readonly path: string;
  readonly body: unknown;
}

export interface QdrantTestDoubleOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /**
   * Called before each request is handled (and awaited): lets a test interleave another client's request at an
   * exact point, e.g. create a collection between an adapter's existence check and its create call.
   */
  readonly onRequest?: (request: QdrantTestDoubleRequest) => void | Promise<void>;
}

export interface RunningQdrantTestDouble {
  /** Base URL for `new QdrantClient({ url })`, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Names of the collections that currently exist. */
  collectionNames(): string[];
  /** Closes the server and every open (keep-alive) connection. */
  stop(): Promise<void>;
}

type Route = (
  params: { collection?: InMemoryCollection; name?: string },
  request: { body: unknown; wait: boolean },
) => unknown;

/**
 * A Qdrant REST stand-in for tests and benchmarks, shaped by `@qdrant/js-client-rest` 1.17's types and Qdrant's
 * documented semantics. Implements only what Strata's `QdrantVectorIndex` uses:
 *
 * | method | path | |
 * |---|---|---|
 * | GET | `/` | version info |
 * | GET | `/collections` | list |
 * | GET/PUT/DELETE | `/collections/{name}` | info / create (409 if it exists) / delete |
 * | GET | `/collections/{name}/exists` | |
 * | PUT | `/collections/{name}/index` | payload index |
 * | PUT | `/collections/{name}/points` | upsert (400 on bad ids, bad vectors, wrong dimension) |
 * | POST | `/collections/{name}/points/query` | nearest query, filter, score_threshold, limit, offset, params (search is always exact) |
 * | POST | `/collections/{name}/points/count` | |
 * | POST | `/collections/{name}/points/delete` | by ids or filter |
 *
 * Responses use Qdrant's envelope `{ result, status: "ok", time }`; errors `{ status: { error }, time }` with 400,
 * 404 (missing collection) and 409 (existing collection). Unknown paths get an empty 404 like Qdrant's router.
 * Search is exact (brute force) with cosine (or dot) scores. Not for production: state lives in memory only.
 */
export const QdrantTestDouble = {
  async start(options: QdrantTestDoubleOptions = {}): Promise<RunningQdrantTestDouble> {
    const state = new DoubleState(options.onRequest);
    const server = createServer((req, res) => {
      void state.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { address, port } = server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    return {
      url: `http://${host}:${port}`,
      collectionNames: () => state.collectionNames(),
      stop: () => stopServer(server),
    };
  },
};

class DoubleState {
  private readonly collections = new Map<string, InMemoryCollection>();
  private operationId = 0;

  constructor(private readonly onRequest: QdrantTestDoubleOptions['onRequest']) {}

  collectionNames(): string[] {
    return [...this.collections.keys()];
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      const url = new URL(req.url ?? '/', 'http://double');
      const method = req.method ?? 'GET';
      const segments = url.pathname
        .split('/')
        .filter((s) => s.length > 0)
        .map((s) => decodeURIComponent(s));
      const route = this.route(method, segments);
      if (route === undefined) {
        res.writeHead(404).end();
        return;
      }
      const body = await readJsonBody(req);
      await this.onRequest?.({ method, path: `/${segments.join('/')}`, body });
      const name = segments[1];
      const collection = name === undefined ? undefined : this.collections.get(name);
      const result = route({ collection, name }, { body, wait: url.searchParams.get('wait') === 'true' });
      send(res, 200, { result, status: 'ok', time: elapsedSeconds(started) });
    } catch (error) {
      const { statusCode, message } =
        error instanceof QdrantHttpError
          ? error
          : {
              statusCode: 500,
              message: `Service internal error: ${error instanceof Error ? error.message : String(error)}`,
            };
      send(res, statusCode, { status: { error: message }, time: elapsedSeconds(started) });
    }
  }

  private route(method: string, segments: string[]): Route | undefined {
    if (segments.length > 4) {
      return undefined;
    }
    const [root, , sub, action] = segments;
    const key = `${method} ${[root, segments.length > 1 ? '{name}' : undefined, sub, action].filter((s) => s !== undefined).join('/')}`;
    switch (key) {
      case 'GET ':
        return () => ({
          title: 'qdrant - vector search engine (Strata test double)',
          version: QDRANT_TEST_DOUBLE_VERSION,
        });
      case 'GET collections':
        return () => ({ collections: this.collectionNames().map((n) => ({ name: n })) });
      case 'GET collections/{name}':
        return ({ collection, name }) => existing(collection, name).info();
      case 'PUT collections/{name}':
        return ({ collection, name }, { body }) => this.createCollection(collection, name, body);
      case 'DELETE collections/{name}':
        return ({ name }) => name !== undefined && this.collections.delete(name);
      case 'GET collections/{name}/exists':
        return ({ collection }) => ({ exists: collection !== undefined });
      case 'PUT collections/{name}/index':
        return ({ collection, name }, { body, wait }) => {
          existing(collection, name).createPayloadIndex(body);
          return this.updateResult(wait);
        };
      case 'PUT collections/{name}/points':
        return ({ collection, name }, { body, wait }) => {
          const result = this.updateResult(wait);
          existing(collection, name).upsert(body, result.operation_id ?? 0);
          return result;
        };
      case 'POST collections/{name}/points/query':
        return ({ collection, name }, { body }) => existing(collection, name).query(body);
      case 'POST collections/{name}/points/count':
        return ({ collection, name }, { body }) => existing(collection, name).count(body);
      case 'POST collections/{name}/points/delete':
        return ({ collection, name }, { body, wait }) => {
          existing(collection, name).delete(body);
          return this.updateResult(wait);
        };
      default:
        return undefined;
    }
  }

  private createCollection(current: InMemoryCollection | undefined, name: string | undefined, body: unknown): boolean {
    if (name === undefined || !isValidCollectionName(name)) {
      throw QdrantHttpError.badRequest(
        `Validation error in path parameters: [name: collection name must be 1..=255 characters without <>:"/\\|?* or control characters]`,
      );
    }
    if (current !== undefined) {
      throw new QdrantHttpError(409, `Wrong input: Collection \`${name}\` already exists!`);
    }
    this.collections.set(name, InMemoryCollection.create(name, body));
    return true;
  }

  private updateResult(wait: boolean): { operation_id: number; status: 'completed' | 'acknowledged' } {
    return { operation_id: ++this.operationId, status: wait ? 'completed' : 'acknowledged' };
  }
}

function existing(collection: InMemoryCollection | undefined, name: string | undefined): InMemoryCollection {
  if (collection === undefined) {
    throw QdrantHttpError.collectionNotFound(name ?? '');
  }
  return collection;
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new QdrantHttpError(413, `Payload too large: the limit is ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(buffer);
  }
  if (size === 0) {
    return undefined;
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (error) {
    throw QdrantHttpError.format(error instanceof Error ? error.message : String(error));
  }
}

function send(res: ServerResponse, statusCode: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function elapsedSeconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
