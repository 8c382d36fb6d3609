/** Every error a client or a peer service can see has one of these codes. */
export enum ErrorCode {
  InvalidRequest = 'invalid_request',
  InvalidJson = 'invalid_json',
  UnsupportedMediaType = 'unsupported_media_type',
  PayloadTooLarge = 'payload_too_large',
  Unauthorized = 'unauthorized',
  NotFound = 'not_found',
  NotCacheable = 'not_cacheable',
  StaleEntry = 'stale_entry',
  RateLimited = 'rate_limited',
  CacheUnavailable = 'cache_unavailable',
  UpstreamError = 'upstream_error',
  InvalidMessage = 'invalid_message',
  /** A peer service answered with a reply its contract does not allow (a version skew or a bug): never cast, refused. */
  InvalidReply = 'invalid_reply',
  Internal = 'internal_error',
}

/** The JSON body of every error response: `{"error":{"code","message"}}`. */
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly details?: unknown };
}

/** A domain error with a code; transports map the code to an HTTP status or a retry/DLQ decision. */
export class StrataError extends Error {
  override readonly name = 'StrataError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }

  /** Rebuilds an error that crossed a transport as `{code, message}`. */
  static fromPayload(payload: unknown): StrataError | undefined {
    if (!payload || typeof payload !== 'object') return undefined;
    const { code, message, details } = payload as { code?: unknown; message?: unknown; details?: unknown };
    if (typeof code !== 'string' || !Object.values<string>(ErrorCode).includes(code)) return undefined;
    return new StrataError(code as ErrorCode, typeof message === 'string' ? message : code, details);
  }
}
