import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type OutgoingHttpHeaders, type RequestListener, type ServerResponse } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { type AccessLog, CORRELATION_HEADER, StrataMetrics, Tracing } from '@strata/observability';
import { LRUCache } from 'lru-cache';
import { AccessGuard } from '../../auth/access.guard';
import { KEY_HEADERS, type Identity } from '../../auth/tenant-resolver';
import { GatewayCache } from '../../cache-api/gateway-cache';
import { ReplayCapture, type ReplayRecipe } from './replay-capture';

/** The routes whose L1 hits are replayed: the hot routes `FastifyHotRoutes` serves. */
const REPLAYED_PATHS: ReadonlySet<string> = new Set(['/v1/cache/lookup', '/v1/chat/completions', '/v1/messages']);
/** Larger bodies are neither read ahead nor remembered: the requests worth replaying are small ones asked again. */
const MAX_BODY_BYTES = 64 * 1024;
/** How many distinct requests are remembered, and how many bytes of their keys at most. */
const MAX_REPLAYS = 4_096;
const MAX_KEY_BYTES = 32 * 1024 * 1024;
/**
 * What the front door reads of a request's headers, in one pass over them as sent (Node builds `req.headers` only
 * when asked): its replay key (the route and every header but the per-request ones: the request id is echoed, the
 * body length is the body's, connection headers frame the connection, a trace context is read only when tracing is
 * on, and the front door steps aside then), the body length, the request id, and the key headers the access
 * decision reads. Undefined when the request is not one to read ahead (no length or too long, chunked, feedback
 * in a header, a header the front door would read sent twice).
 */
interface ReadAhead {
  readonly key: string;
  readonly requestId: string | undefined;
  readonly keyHeaders: Record<string, string>;
}

const PRE_READ = Symbol('strata.preReadBody');
const ADMISSION = Symbol('strata.admission');

/** A request's access decision made by the front door, handed to the route so that it is not made twice. */
type Admission = { readonly identity: Identity } | { readonly error: unknown };

/** A remembered answer: what must still hold (`recipe`) and the bytes to write. */
interface Replay {
  readonly recipe: ReplayRecipe;
  /** The response's headers as the route wrote them, the request id's value replaced per request. */
  readonly headers: OutgoingHttpHeaders;
  /** As the route wrote it: a string leaves in one write with the headers (a buffer would take a second). */
  readonly body: string | Buffer;
  /** Writes a replay's access-log line (its fields but the duration and the id are this answer's). */
  readonly logLine: ((ms: number, requestId: string) => void) | undefined;
}

/** What the route wrote, seen through the raw response (the exact bytes a replay writes again). */
interface Recording {
  status: number;
  headers: OutgoingHttpHeaders | undefined;
  body: string | Buffer | undefined;
  /** Written in parts (a live stream) or in a way a replay would not reproduce. */
  unusual: boolean;
}

function lowerKeys(headers: OutgoingHttpHeaders | readonly unknown[] | undefined): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  if (headers === undefined || Array.isArray(headers)) return out;
  for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) out[name.toLowerCase()] = value;
  return out;
}

function chunkOf(chunk: unknown): string | Buffer | undefined {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return undefined;
}

/**
 * Watches what a route writes on the raw response: `writeHead` and one `end` with the whole body is what the hot
 * routes do for a hit (Fastify's `send`, a replayed SSE stream); anything else is marked unusual and not replayed.
 */
function record(res: ServerResponse): Recording {
  const recording: Recording = { status: 0, headers: undefined, body: undefined, unusual: false };
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = (status: number, ...rest: unknown[]) => {
    recording.status = status;
    const headers = rest.find((arg) => typeof arg === 'object' && arg !== null) as OutgoingHttpHeaders | undefined;
    recording.headers = { ...res.getHeaders(), ...lowerKeys(headers) };
    return writeHead(status, ...rest);
  };
  res.write = ((...args: unknown[]) => {
    recording.unusual = true;
    return write(...args);
  }) as ServerResponse['write'];
  res.end = ((...args: unknown[]) => {
    const first = args[0];
    if (typeof first !== 'function' && first !== null && first !== undefined) {
      const body = chunkOf(first);
      const encoding = args[1];
      // A string in another encoding than UTF-8 would be written differently by a plain `end(body)`.
      if (body === undefined || recording.body !== undefined || (typeof encoding === 'string' && encoding !== 'utf8'))
        recording.unusual = true;
      else recording.body = body;
    }
    return end(...args);
  }) as ServerResponse['end'];
  return recording;
}

/**
 * The gateway's front door: the HTTP server's request listener, in front of Fastify. A request to a hot route is
 * read here; the first time a request (route, headers and body, byte for byte) is answered from L1, the route
 * records how (`ReplayCapture`), and the same request asked again is answered here — access decided by the same
 * `AccessGuard`, the same effects recorded (`GatewayCache.recordL1Hit`, the proxy's counters), the same bytes
 * written — without Fastify's routing and body parsing, validation or keying. A replay is served only while L1
 * hands out the very entry that answered (so a purge, a newer version, expiry or an eviction ends it) and the
 * reply's age and TTL are what they were; otherwise, and for everything else, the request goes to Fastify.
 * Off when configured so (`STRATA_HIT_REPLAYS=false`), when tracing is on (every request gets its span there), and
 * when the client address depends on proxy headers (`trustProxy`) while failed authentications are limited per
 * address.
 */
@Injectable()
export class HitReplays {
  private readonly replays = new LRUCache<string, Replay>({
    max: MAX_REPLAYS,
    maxSize: MAX_KEY_BYTES,
    sizeCalculation: (replay, key) => key.length + replay.body.length,
  });
  private readonly bodyLimit: number;
  private readonly enabled: boolean;
  private readonly served = StrataMetrics.shared().hitReplays;
  private closed = false;
  private readonly logger = new Logger(HitReplays.name);

  constructor(
    @Inject(STRATA_CONFIG) config: StrataConfig,
    private readonly access: AccessGuard,
    private readonly cache: GatewayCache,
  ) {
    this.bodyLimit = Math.min(MAX_BODY_BYTES, config.http.bodyLimitBytes);
    this.enabled =
      config.http.hitReplays &&
      !Tracing.enabled() &&
      (config.http.trustProxy === undefined || config.http.trustProxy === false);
  }

  /** The body the front door read for this request, as it was sent; undefined when it did not read it. */
  static body(raw: IncomingMessage): Buffer | undefined {
    return (raw as { [PRE_READ]?: Buffer })[PRE_READ];
  }

  /**
   * The access decision the front door already made for this request (a replay it could not serve after admitting),
   * or undefined; rethrows the decision's error.
   */
  static admitted(raw: object): Identity | undefined {
    const admission = (raw as { [ADMISSION]?: Admission })[ADMISSION];
    if (admission === undefined) return undefined;
    if ('error' in admission) throw admission.error;
    return admission.identity;
  }

  /** Stops replaying (the server is closing: Fastify answers what still arrives with its 503). */
  close(): void {
    this.closed = true;
  }

  /** The server's request listener: `next` is Fastify's; `log` writes a replayed request's access-log line. */
  listener(next: RequestListener, log: AccessLog | undefined): RequestListener {
    if (!this.enabled) return next;
    return (req, res) => {
      const url = req.url ?? '';
      if (this.closed || req.method !== 'POST' || !REPLAYED_PATHS.has(url)) return next(req, res);
      const ahead = this.readAhead(url, req.rawHeaders);
      if (ahead === undefined) return next(req, res);
      const started = performance.now();
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.once('end', () => {
        const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        const key = `${ahead.key}\n\n${body.toString('latin1')}`;
        const replay = this.replays.get(key);
        try {
          if (replay !== undefined && this.replay(replay, key, ahead, req, res, started)) return;
        } catch (error) {
          // Nothing was written: the route answers it (and the error is the route's to meet).
          this.logger.error(`replaying a hit failed; the route answers: ${String(error)}`);
          this.replays.delete(key);
        }
        (req as { [PRE_READ]?: Buffer })[PRE_READ] = body;
        // What the route writes is watched from the moment it says L1 answered, before it writes: a miss's reply,
        // never replayed, is written as it is, unwatched.
        const capture = ReplayCapture.attach(req, () => {
          const recording = record(res);
          res.once('finish', () => this.remember(key, url, capture, recording, log));
        });
        next(req, res);
      });
    };
  }

  private readAhead(url: string, raw: readonly string[]): ReadAhead | undefined {
    let key = url;
    let length: number | undefined;
    let requestId: string | undefined;
    const keyHeaders: Record<string, string> = {};
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i];
      const value = raw[i + 1];
      const lower = name.toLowerCase();
      switch (lower) {
        case 'content-length':
          if (length !== undefined) return undefined;
          length = Number(value);
          continue;
        case 'transfer-encoding':
        case 'x-strata-feedback':
          return undefined;
        case CORRELATION_HEADER:
          if (requestId !== undefined) return undefined;
          requestId = value;
          continue;
        case 'connection':
        case 'keep-alive':
        case 'traceparent':
        case 'tracestate':
          continue;
        default:
          if (KEY_HEADERS.includes(lower)) {
            if (keyHeaders[lower] !== undefined) return undefined;
            keyHeaders[lower] = value;
          }
      }
      key += `\n${name}:${value}`;
    }
    if (length === undefined || !(length > 0 && length <= this.bodyLimit)) return undefined;
    return { key, requestId, keyHeaders };
  }

  private remember(
    key: string,
    path: string,
    capture: ReplayCapture,
    recording: Recording,
    log: AccessLog | undefined,
  ): void {
    const recipe = capture.recipe();
    if (recipe === undefined || recording.unusual || recording.status !== 200) return;
    if (recording.headers === undefined || recording.body === undefined) return;
    const { [CORRELATION_HEADER]: _id, ...headers } = recording.headers;
    // Only fresh L1 hits are replayed (a stale answer's route vetoes it), and only to the tenant that asked first.
    const logLine = log?.fixed({ method: 'POST', path, status: 200, cache: 'HIT', tier: 'l1', tenant: recipe.tenant });
    this.replays.set(key, { recipe, headers, body: recording.body, logLine });
  }

  /**
   * Serves a remembered answer if it still holds; false (nothing done or decided) when it does not, and the
   * request goes to Fastify. Once admitted, it is served: an access decision is never made twice.
   */
  private replay(
    replay: Replay,
    key: string,
    ahead: ReadAhead,
    req: IncomingMessage,
    res: ServerResponse,
    started: number,
  ): boolean {
    const { recipe } = replay;
    const now = Date.now();
    if (this.cache.l1Entry(recipe.tenant, recipe.exactKey) !== recipe.entry || !recipe.stillRendered(now)) {
      this.replays.delete(key);
      return false;
    }
    let identity: Identity;
    try {
      // The access decision reads the key headers only (`KEY_HEADERS`) and the client's address.
      identity = this.access.decide({ headers: ahead.keyHeaders, ip: req.socket.remoteAddress ?? '' }, undefined);
    } catch (error) {
      (req as { [ADMISSION]?: Admission })[ADMISSION] = { error };
      return false;
    }
    if (identity.kind !== 'tenant' || identity.tenant !== recipe.tenant) {
      (req as { [ADMISSION]?: Admission })[ADMISSION] = { identity };
      return false;
    }
    // The client's `X-Request-Id` (as Fastify takes it), or a new one.
    const requestId = ahead.requestId !== undefined && ahead.requestId !== '' ? ahead.requestId : randomUUID();
    const seconds = (performance.now() - started) / 1000;
    for (const effect of recipe.effects) effect(now, requestId, seconds);
    replay.headers[CORRELATION_HEADER] = requestId;
    res.writeHead(200, replay.headers);
    res.end(replay.body);
    this.served.inc();
    replay.logLine?.(Math.round((performance.now() - started) * 100) / 100, requestId);
    return true;
  }
}
