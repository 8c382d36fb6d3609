import { type RequestApi } from '@strata/cache-core';
import { type ChatMessage, type JsonValue } from '@strata/contracts';
import { type StreamFrame } from '../openai/chat/live-stream';
import { type SseEvent } from '../openai/sse/sse-parser';
import { type UpstreamEndpoint } from '../openai/upstream/upstream-client';
import { type TokenUsage } from './token-usage';

/** A client request as the proxy needs it, whatever its API. */
export interface ParsedRequest {
  readonly model: string;
  readonly stream: boolean;
  /** Whether a streaming client gets the stream's usage (OpenAI: when it asked for it; APIs that always stream usage: true). */
  readonly includeUsage: boolean;
  /** The body exactly as the client sent it. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** Request headers this API sends upstream as they are, whoever's key is used (e.g. `anthropic-version`). */
  readonly forwardHeaders: Readonly<Record<string, string>>;
}

/** What the cache keys a request by, in the neutral (OpenAI-shaped) form: messages, then every other field as params. */
export type CacheInput =
  | { readonly kind: 'bypass'; readonly reason: string }
  | { readonly kind: 'keyed'; readonly messages: ChatMessage[]; readonly params: Record<string, unknown> };

/**
 * Reads one upstream stream. Each event is recorded and turned into the frame live clients get; the
 * record is stored only when the stream reached its terminal event and nothing in it was wrong.
 */
export interface StreamRecorder {
  /** The frame to forward for this event; undefined when nothing is forwarded (OpenAI's `[DONE]`: `doneFrame` ends live streams). */
  event(event: SseEvent): StreamFrame | undefined;
  /** The terminal event arrived (`[DONE]`, `message_stop`). */
  readonly complete: boolean;
  /** No error event, no unreadable event. */
  readonly clean: boolean;
  /** The stream record to store. */
  record(): JsonValue;
}

/**
 * One LLM API's wire format. The proxy's orchestration (lookup, coalesced upstream call, record, store,
 * replay) is the same for every API; a format says how its requests are keyed and sent, how its answers
 * are recognised, recorded, replayed in either form (JSON or SSE) and priced, and how its errors look.
 */
export interface WireFormat {
  readonly api: RequestApi;
  /** Metrics label and upstream endpoint. */
  readonly endpoint: UpstreamEndpoint;
  /** Appended to the upstream's base URL. */
  readonly path: string;
  /** Ends a live stream that completed (`data: [DONE]` for OpenAI; '' when the terminal event was forwarded). */
  readonly doneFrame: string;

  /** Validates what the proxy reads (400 on bad input); everything else is passed on untouched. */
  parse(body: unknown, headers: Readonly<Record<string, string | string[] | undefined>>): ParsedRequest;
  /** The request in the cache's neutral form (the key is computed on the client's request, before any injection). */
  cacheInput(request: ParsedRequest): CacheInput;
  /** The JSON body sent upstream (with what the proxy adds: stream usage, prompt-cache hints). */
  upstreamBody(request: ParsedRequest, options: UpstreamBodyOptions): string;

  /** A complete non-streamed answer worth storing, or undefined. */
  storableJson(text: string): JsonValue | undefined;
  recorder(): StreamRecorder;
  /** A stored answer (either form) as the JSON body a non-streaming request gets; undefined when it is not this API's. */
  renderJson(stored: JsonValue): string | undefined;
  /** A stored answer (either form) as the SSE text a streaming request gets; undefined when it is not this API's. */
  renderSse(stored: JsonValue, includeUsage: boolean): string | undefined;
  /** Token usage of a stored answer, prompt-cache reads and writes included. */
  usage(stored: JsonValue): TokenUsage | undefined;
  /** An error body in this API's shape, carrying Strata's code. */
  errorBody(status: number, code: string, message: string): string;
}

export interface UpstreamBodyOptions {
  /** Ask a streaming upstream for usage (OpenAI `stream_options.include_usage`). */
  readonly streamUsage: boolean;
  /** The tenant, for hints derived from it (OpenAI `prompt_cache_key`). */
  readonly tenant: string;
  /** The namespace, whose prompt-cache policy applies. */
  readonly namespace: string;
}

/** `text` parsed as JSON when it parses and `recognised` accepts it (a format's storable answer), else undefined. */
export function recognisedJson(text: string, recognised: (value: JsonValue) => boolean): JsonValue | undefined {
  try {
    const parsed = JSON.parse(text) as JsonValue;
    return recognised(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
