import { ApiError, UnreachableError, UsageError } from '../errors';

interface StrataClientOptions {
  /** The gateway's base URL (`http://127.0.0.1:8080`; a trailing `/v1` is accepted). */
  readonly url: string;
  /** The Strata API key, sent as `X-Strata-Key` (read first by every endpoint; the proxy never forwards it upstream). */
  readonly key?: string | undefined;
  /** Per-request timeout. */
  readonly timeoutMs?: number;
}

interface HttpReply {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON. */
  readonly body: unknown;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** The base URL without a trailing slash or `/v1`; anything but http(s) is a usage error. */
function normaliseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url: not a URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--url: use http:// or https://, got "${raw}"`);
  return url.href.replace(/\/+$/, '').replace(/\/v1$/, '');
}

function reason(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer in time';
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error) return cause.message;
    return error.message;
  }
  return String(error);
}

/** `{"error":{"code","message"}}` from a failed reply, or the status alone for a body of another shape. */
export function apiError(reply: HttpReply): ApiError {
  const error = (reply.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : 'http_error';
  const message =
    typeof error?.message === 'string'
      ? error.message
      : typeof reply.body === 'string' && reply.body !== ''
        ? reply.body.slice(0, 200)
        : `HTTP ${reply.status}`;
  return new ApiError(reply.status, code, message);
}

/** A small HTTP client for the gateway: JSON in and out, the key header, timeouts, and "unreachable" told apart from an error answer. */
export class StrataClient {
  readonly baseUrl: string;
  private readonly key: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: StrataClientOptions) {
    this.baseUrl = normaliseBaseUrl(options.url);
    this.key = options.key;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Sends one request; any HTTP answer resolves (check `status`), no answer throws `UnreachableError`. */
  async send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<HttpReply> {
    const all: Record<string, string> = { accept: 'application/json', 'user-agent': 'strata-cli', ...headers };
    if (this.key !== undefined) all['x-strata-key'] = this.key;
    if (body !== undefined) all['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        headers: all,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new UnreachableError(this.baseUrl, reason(error));
    }
    let parsed: unknown = text;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /** Sends one request and returns its JSON body; a 4xx/5xx throws `ApiError`. */
  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const reply = await this.send(method, path, body);
    if (reply.status >= 400) throw apiError(reply);
    return reply.body;
  }
}
