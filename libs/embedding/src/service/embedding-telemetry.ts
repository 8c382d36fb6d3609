import { type EmbeddingErrorCode } from '../errors/embedding-error';

/** What `EmbeddingService` reports as it works; the embedding service binds it to prom-client and logs. */
export interface EmbeddingTelemetry {
  /** One cache read for `hits + misses` texts. */
  cacheLookup(hits: number, misses: number): void;
  /** The cache failed or timed out; the service carried on without it. */
  cacheError(operation: 'get' | 'set', error: unknown): void;
  /** Texts that joined an embedding already in flight (same text requested concurrently) instead of a new one. */
  coalesced(texts: number): void;
  /** One provider call of `texts` texts, how long it took, and how it ended. */
  providerCall(texts: number, seconds: number, outcome: 'ok' | EmbeddingErrorCode): void;
  /**
   * The provider's `backlogMs` estimate threw or was not a finite number; the texts were queued as if it could not
   * estimate (every caller waits for them).
   */
  backlogEstimateFailed?(error: unknown): void;
}

/** For tests and tools that do not care. */
export const NO_EMBEDDING_TELEMETRY: EmbeddingTelemetry = {
  cacheLookup: () => undefined,
  cacheError: () => undefined,
  coalesced: () => undefined,
  providerCall: () => undefined,
};
