/** Why an embedding failed. Transports map these to HTTP statuses or retry decisions. */
export enum EmbeddingErrorCode {
  /** Network error, connection refused, or 5xx after all retries. */
  PROVIDER_UNAVAILABLE = 'PROVIDER_UNAVAILABLE',
  /** No complete answer within the configured timeout (after all retries). */
  PROVIDER_TIMEOUT = 'PROVIDER_TIMEOUT',
  /** 429 after all retries, or a Retry-After longer than we are willing to wait. */
  PROVIDER_RATE_LIMITED = 'PROVIDER_RATE_LIMITED',
  /** The provider refused the request (4xx other than 408/413/429): bad key, unknown model, bad parameter. */
  PROVIDER_REJECTED = 'PROVIDER_REJECTED',
  /** The provider answered, but not with one numeric vector per input. */
  BAD_RESPONSE = 'BAD_RESPONSE',
  /** The provider's vectors do not have the configured (or previously seen) length. */
  DIMENSION_MISMATCH = 'DIMENSION_MISMATCH',
  /** A text is longer than our limit, or the provider said it exceeds the model's context. */
  INPUT_TOO_LARGE = 'INPUT_TOO_LARGE',
  /**
   * The provider's backlog would outlast the caller's budget: the caller stops waiting at once, while the texts are
   * still embedded (and cached) for whoever asks next.
   */
  PROVIDER_BUSY = 'PROVIDER_BUSY',
}

export interface EmbeddingErrorDetails {
  /** HTTP status of the provider's answer, when there was one. */
  readonly status?: number;
  /** How long the provider asked us to wait before trying again. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

const RETRYABLE: Readonly<Record<EmbeddingErrorCode, boolean>> = {
  [EmbeddingErrorCode.PROVIDER_UNAVAILABLE]: true,
  [EmbeddingErrorCode.PROVIDER_TIMEOUT]: true,
  [EmbeddingErrorCode.PROVIDER_RATE_LIMITED]: true,
  [EmbeddingErrorCode.PROVIDER_REJECTED]: false,
  [EmbeddingErrorCode.BAD_RESPONSE]: false,
  [EmbeddingErrorCode.DIMENSION_MISMATCH]: false,
  [EmbeddingErrorCode.INPUT_TOO_LARGE]: false,
  [EmbeddingErrorCode.PROVIDER_BUSY]: true,
};

/** The error `make` builds, without capturing a stack (for errors that shed load: expected, frequent, not faults). */
export function withoutStack<T extends Error>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * The one error the embedding lib throws. `retryable` says whether the same request may succeed later
 * (provider down, slow or rate limiting) or will fail again until something changes (input, key, config).
 */
export class EmbeddingError extends Error {
  override readonly name = 'EmbeddingError';
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: EmbeddingErrorCode,
    message: string,
    details: EmbeddingErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.retryable = RETRYABLE[code];
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }

  /**
   * A refusal to take more work (`PROVIDER_BUSY`, a full queue): load shed, not a fault, so it carries no stack. Under
   * overload every new text meets one, and capturing a stack costs more than the rest of the refusal.
   */
  static shed(code: EmbeddingErrorCode, message: string): EmbeddingError {
    return withoutStack(() => new EmbeddingError(code, message));
  }

  static is(error: unknown, code?: EmbeddingErrorCode): error is EmbeddingError {
    return error instanceof EmbeddingError && (code === undefined || error.code === code);
  }
}
