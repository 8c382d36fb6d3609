import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { sha256Hex } from '@strata/cache-core';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { ErrorCode, StrataError } from '@strata/contracts';
import { StrataMetrics, type TracedCall, Tracing, boundCounter, boundHistogram } from '@strata/observability';
import { Agent, type Dispatcher } from 'undici';
import { Deadline, type DeadlineSignal } from './deadline';
import { type UpstreamTarget } from './upstream-router';

/** The client's own upstream credentials and OpenAI account headers, used when no key is configured. */
export type ClientCredentials = Readonly<Record<string, string>>;

export type UpstreamEndpoint = 'chat' | 'messages' | 'embeddings' | 'models';

export interface UpstreamCall {
  readonly target: UpstreamTarget;
  readonly endpoint: UpstreamEndpoint;
  readonly method: 'GET' | 'POST';
  /** Appended to the target's base URL, e.g. `/chat/completions`. */
  readonly path: string;
  readonly body?: string | undefined;
  readonly stream?: boolean;
  readonly credentials: ClientCredentials;
  /** Sent whoever's key is used (e.g. `anthropic-version`, `anthropic-beta`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Aborts the call: a `Deadline`'s signal, or any AbortSignal. */
  readonly signal: AbortSignal | DeadlineSignal;
  /** The client request the call is made for (of a coalesced call, the one that started it): its log lines name it. */
  readonly requestId?: string | undefined;
}

/**
 * An upstream's answer once its status and headers are in. Its body is read once: whole (`text`), chunk by chunk
 * as it arrives (`chunks`), or dropped (`discard`), which frees the pooled connection either way.
 */
export interface UpstreamResponse {
  readonly status: number;
  /** By lower-case name; a repeated header's values joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  text(): Promise<string>;
  chunks(): AsyncIterable<Uint8Array>;
  discard(): void;
}

/** Idle upstream connections are kept this long (most upstreams close theirs after 60 s or more). */
const KEEP_ALIVE_MS = 30_000;
/** Connections per upstream origin, at most; further requests queue on the pool. */
const CONNECTIONS_PER_UPSTREAM = 256;

/** A finished, buffered upstream exchange (everything but streams). */
interface UpstreamExchange {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Why the upstream gave no answer, as the client sees it. */
type UpstreamFailureKind = 'timeout' | 'unreachable' | 'aborted';

export class UpstreamFailure extends StrataError {
  constructor(
    readonly kind: UpstreamFailureKind,
    message: string,
  ) {
    super(ErrorCode.UpstreamError, message);
  }

  /** 504 when the upstream was too slow, 502 when it could not be reached; 499 (client closed) otherwise. */
  get status(): number {
    return this.kind === 'timeout' ? 504 : this.kind === 'unreachable' ? 502 : 499;
  }
}

/** Upstream response headers a client may rely on (rate limits, request ids, processing time); the rest stay behind. */
const PASSED_HEADERS =
  /^(content-type|retry-after|retry-after-ms|openai-[a-z-]+|anthropic-ratelimit-[a-z-]+|x-ratelimit-[a-z-]+|azureml-model-[a-z-]+|x-ms-region)$/;

export function passThroughHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (PASSED_HEADERS.test(name)) out[name] = value;
    else if (name === 'x-request-id' || name === 'request-id') out['x-upstream-request-id'] = value;
  }
  return out;
}

/** undici's response headers (lower-case names; repeated ones as arrays) as one string per name. */
function flatHeaders(raw: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) out[name] = typeof value === 'string' ? value : value.join(', ');
  }
  return out;
}

/** Where a target's calls go, split as undici's dispatcher takes it: the origin, and the path prefix with the query after it. */
interface Endpoint {
  readonly origin: string;
  /** The origin's host name and port, as trace attributes. */
  readonly host: string;
  readonly port: number;
  readonly basePath: string;
  readonly query: string;
}

/** A response read through undici's `request` (no WHATWG streams); the call's trace span ends with its body. */
class PooledResponse implements UpstreamResponse {
  constructor(
    readonly status: number,
    readonly headers: Readonly<Record<string, string>>,
    private readonly body: Dispatcher.ResponseData['body'],
    private readonly span: TracedCall,
  ) {}

  async text(): Promise<string> {
    try {
      const text = await this.body.text();
      this.span.end();
      return text;
    } catch (error) {
      this.span.fail(error);
      throw error;
    }
  }

  chunks(): AsyncIterable<Uint8Array> {
    return this.span.recording ? this.tracedChunks() : this.body;
  }

  discard(): void {
    this.span.end();
    this.body.dump().catch(() => undefined);
  }

  private async *tracedChunks(): AsyncIterable<Uint8Array> {
    try {
      for await (const chunk of this.body as AsyncIterable<Uint8Array>) yield chunk;
      this.span.end();
    } catch (error) {
      this.span.fail(error);
      throw error;
    }
  }
}

/** A short digest of the credentials a call is made with: calls under different client keys never share a flight. */
export function credentialDigest(target: UpstreamTarget, credentials: ClientCredentials): string {
  if (target.apiKey !== undefined) return 'configured';
  const names = Object.keys(credentials);
  if (names.length === 0) return 'none';
  // One string hashed at once: the same bytes, so the same digest, as hashing each pair in turn.
  let text = '';
  for (const name of names.sort()) text += `${name}\u0000${credentials[name]}\u0000`;
  return sha256Hex(text).slice(0, 32);
}

function describeCause(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = cause && typeof cause === 'object' && 'code' in cause ? String(cause.code) : undefined;
  return code ?? (cause instanceof Error ? cause.message : String(cause));
}

/** What a flight needs from the upstream client (a port, so that flights can be tested without a network). */
export interface UpstreamPort {
  readonly timeoutMs: number;
  readonly streamIdleTimeoutMs: number;
  open(call: UpstreamCall): Promise<UpstreamResponse>;
  observe(endpoint: UpstreamEndpoint, started: bigint, outcome: string): void;
  failure(
    call: Pick<UpstreamCall, 'target' | 'endpoint' | 'signal' | 'requestId'>,
    error: unknown,
    deadline: Deadline,
  ): UpstreamFailure;
}

/**
 * Calls OpenAI-compatible upstreams through undici's `request` on a keep-alive pool per origin (not `fetch`: its
 * WHATWG streams, `Request`/`Response` objects and signal plumbing cost a miss more CPU than the rest of the call). The
 * configured key, when there is one, replaces the client's credentials; keys never reach a log line or
 * an error message.
 */
@Injectable()
export class UpstreamClient implements UpstreamPort, OnApplicationShutdown {
  private readonly metrics = StrataMetrics.shared();
  private readonly logger = new Logger('Upstream');
  readonly timeoutMs: number;
  readonly streamIdleTimeoutMs: number;
  /** `strata_upstream_*` children by endpoint and outcome, bound on first use (`boundCounter`, `boundHistogram`). */
  private readonly observed = new Map<string, { inc(): void; observe(seconds: number): void }>();
  /** Each target's origin and path, parsed once. */
  private readonly endpoints = new WeakMap<UpstreamTarget, Endpoint>();
  /** One keep-alive connection pool per upstream origin: a miss reuses a warm connection instead of opening one. */
  private readonly pools = new Agent({
    keepAliveTimeout: KEEP_ALIVE_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_MS,
    connections: CONNECTIONS_PER_UPSTREAM,
  });

  constructor(@Inject(STRATA_CONFIG) config: StrataConfig) {
    this.timeoutMs = config.upstream.timeoutMs;
    this.streamIdleTimeoutMs = config.upstream.streamIdleTimeoutMs;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pools.close();
  }

  /**
   * Sends the request; resolves with the response as soon as its headers arrive (rejects when the upstream cannot be
   * reached or `call.signal` aborts: classify with `failure`). With tracing on, the call is a client span (method,
   * route, status, upstream host and port; never a body or a key) that ends when its body has been read.
   */
  async open(call: UpstreamCall): Promise<UpstreamResponse> {
    const headers: Record<string, string> = {
      ...call.headers,
      accept: call.stream ? 'text/event-stream' : 'application/json',
    };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    const key = call.target.apiKey;
    if (key !== undefined)
      headers[call.target.apiKeyHeader] = call.target.apiKeyHeader === 'authorization' ? `Bearer ${key}` : key;
    else Object.assign(headers, call.credentials);
    const endpoint = this.endpoint(call.target);
    const span = Tracing.client(`upstream ${call.method} ${call.path}`, {
      'http.request.method': call.method,
      'http.route': call.path,
      'server.address': endpoint.host,
      'server.port': endpoint.port,
      'strata.upstream.endpoint': call.endpoint,
    });
    try {
      const response = await this.pools.request({
        origin: endpoint.origin,
        path: `${endpoint.basePath}${call.path}${endpoint.query}`,
        method: call.method,
        headers,
        body: call.body ?? null,
        signal: call.signal,
      });
      span.status(response.statusCode);
      return new PooledResponse(response.statusCode, flatHeaders(response.headers), response.body, span);
    } catch (error) {
      span.fail(error);
      throw error;
    }
  }

  private endpoint(target: UpstreamTarget): Endpoint {
    let endpoint = this.endpoints.get(target);
    if (endpoint === undefined) {
      const url = new URL(target.baseUrl);
      endpoint = {
        origin: url.origin,
        host: url.hostname,
        port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
        basePath: url.pathname.replace(/\/+$/, ''),
        query: target.query,
      };
      this.endpoints.set(target, endpoint);
    }
    return endpoint;
  }

  /** A whole exchange within the configured timeout, given up early if `call.signal` aborts. */
  async exchange(call: UpstreamCall & { readonly signal: AbortSignal }): Promise<UpstreamExchange> {
    const deadline = new Deadline(call.signal, this.timeoutMs);
    const started = process.hrtime.bigint();
    try {
      const response = await this.open({ ...call, signal: deadline.signal });
      const body = await response.text();
      this.observe(call.endpoint, started, `${Math.floor(response.status / 100)}xx`);
      return { status: response.status, headers: passThroughHeaders(response.headers), body };
    } catch (error) {
      throw this.failure(call, error, deadline);
    } finally {
      deadline.clear();
    }
  }

  /** Records a finished call (`outcome`: status class, or truncated for a stream cut short). */
  observe(endpoint: UpstreamEndpoint, started: bigint, outcome: string): void {
    const key = `${endpoint}:${outcome}`;
    let child = this.observed.get(key);
    if (child === undefined) {
      const count = boundCounter(this.metrics.upstreamRequests, { endpoint, outcome });
      const duration = boundHistogram(this.metrics.upstreamDuration, { endpoint });
      child = { inc: () => count.inc(), observe: (seconds) => duration.observe(seconds) };
      this.observed.set(key, child);
    }
    child.inc();
    child.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  /**
   * Classifies (and counts) a failed call: the deadline ran out (timeout), the caller's signal aborted
   * (aborted: the client went away), or the upstream could not be reached.
   */
  failure(
    call: Pick<UpstreamCall, 'target' | 'endpoint' | 'signal' | 'requestId'>,
    error: unknown,
    deadline: Deadline,
  ): UpstreamFailure {
    // Clients learn what happened, not where the upstream lives or how the socket failed: that goes to the log.
    let failure: UpstreamFailure;
    if (deadline.timedOut) failure = new UpstreamFailure('timeout', 'the upstream did not answer in time');
    else if (call.signal.aborted) failure = new UpstreamFailure('aborted', 'the client went away');
    else {
      failure = new UpstreamFailure('unreachable', 'the upstream could not be reached');
      this.logger.warn({
        msg: `${call.endpoint}: the upstream ${new URL(call.target.baseUrl).host} could not be reached (${describeCause(error)})`,
        requestId: call.requestId,
      });
    }
    this.metrics.upstreamRequests.inc({ endpoint: call.endpoint, outcome: failure.kind });
    return failure;
  }
}
