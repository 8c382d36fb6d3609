/**
 * A failed Qdrant call, naming the operation and, when Qdrant answered, its HTTP status and error text. The cache
 * treats any rejection of the vector index as "skip L3"; this error makes the log line useful.
 */
export class QdrantIndexError extends Error {
  /** HTTP status when Qdrant answered; undefined for network failures and timeouts. */
  readonly status: number | undefined;

  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    const status = httpStatusOf(cause);
    super(`Qdrant ${operation} failed: ${describe(cause, status)}`, { cause });
    this.name = QdrantIndexError.name;
    this.status = status;
  }
}

/** The HTTP status of an error thrown by `@qdrant/js-client-rest` for a non-2xx answer. */
export function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof QdrantIndexError) return error.status;
  if (error === null || typeof error !== 'object' || !('status' in error)) return undefined;
  return typeof error.status === 'number' ? error.status : undefined;
}

function describe(cause: unknown, status: number | undefined): string {
  if (status !== undefined) {
    const data = (cause as { data?: unknown }).data;
    const text = (data as { status?: { error?: unknown } } | undefined)?.status?.error;
    return `HTTP ${status}${typeof text === 'string' ? `: ${text}` : ''}`;
  }
  if (cause instanceof Error) {
    const code = (cause.cause as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' ? `${cause.message} (${code})` : cause.message;
  }
  return String(cause);
}
