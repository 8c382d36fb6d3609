import { type EmbeddingTelemetry } from './embedding-telemetry';

export interface EmbeddingServiceOptions {
  /** Most texts per provider call. */
  readonly batchSize: number;
  /** How long the first queued miss waits for others to share its provider call (0: the next timer tick). */
  readonly batchWindowMs: number;
  /** Longest accepted text, in UTF-16 code units; longer fails with `INPUT_TOO_LARGE`. Default: no limit. */
  readonly maxTextChars?: number;
  /** A cache read or write slower than this counts as failed and is skipped. Default 250. */
  readonly cacheTimeoutMs?: number;
  readonly telemetry?: EmbeddingTelemetry;
}

export interface EmbeddingResult {
  readonly model: string;
  /** Length of every vector (for an empty request: the provider's, or 0 when it does not know yet). */
  readonly dimensions: number;
  /** One per input text, same order. Shared with the cache and other callers: treat as read-only. */
  readonly vectors: number[][];
}

/** Counters since start; the service also reports each event to its `EmbeddingTelemetry`. */
export interface EmbeddingServiceStats {
  readonly requests: number;
  readonly texts: number;
  readonly cacheHits: number;
  readonly cacheMisses: number;
  readonly cacheErrors: number;
  readonly coalesced: number;
  readonly providerCalls: number;
  readonly providerTexts: number;
  readonly providerErrors: number;
}
