import { type EmbeddingErrorCode } from '@strata/embedding';

/** A retry the provider is about to make; for logs and metrics. Never carries the API key. */
export interface ProviderRetryEvent {
  /** 1 for the first retry. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly code: EmbeddingErrorCode;
  readonly status: number | undefined;
  readonly message: string;
}

export interface OpenAiCompatibleProviderOptions {
  /**
   * Base URL of an OpenAI-compatible API: a server root (`http://ollama:11434`, `http://tei:8080`), an API
   * base ending in `/v1` (`https://api.openai.com/v1`, `http://vllm:8000/v1`), an Azure OpenAI resource or
   * deployment URL, or the full `/embeddings` endpoint. See `embeddingsEndpoint`.
   */
  readonly url: string;
  /** Sent as `model`; also the name under which vectors are cached and indexed. */
  readonly model: string;
  /** Secret: sent as a header only, never logged, redacted from provider error messages. */
  readonly apiKey?: string;
  /**
   * How the key is sent: `bearer` (`Authorization: Bearer …`, OpenAI, vLLM, TEI, Ollama behind a proxy) or
   * `api-key` (Azure OpenAI's header). Default: `api-key` for `*.openai.azure.com` hosts, else `bearer`.
   */
  readonly auth?: 'bearer' | 'api-key';
  /** Azure OpenAI's `api-version` query parameter (dated deployment APIs); not needed for Azure's v1 API. */
  readonly apiVersion?: string;
  /**
   * Expected vector length. Without it the provider learns the length from its first answer and holds
   * every later answer to it. A different length fails with `DIMENSION_MISMATCH`.
   */
  readonly dimensions?: number;
  /**
   * Whether to send `dimensions` in the request (models that can shorten their vectors, e.g. OpenAI's
   * text-embedding-3-*). Default true when `dimensions` is set. Set false for models that reject the
   * parameter (text-embedding-ada-002, most TEI/vLLM/Ollama models) but should still be checked against it.
   */
  readonly sendDimensions?: boolean;
  /** Per attempt, until the whole response body has arrived. Default 10 000. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt, on network errors, timeouts, 408, 429 and 5xx. Default 3. */
  readonly maxRetries?: number;
  /** First backoff delay; doubles per retry, with jitter. Default 200. */
  readonly backoffBaseMs?: number;
  /** Largest backoff delay. Default 5 000. */
  readonly backoffMaxMs?: number;
  /** A Retry-After longer than this is not waited for: the call fails with `PROVIDER_RATE_LIMITED`/`UNAVAILABLE`. Default 30 000. */
  readonly maxRetryAfterMs?: number;
  /** Extra request headers (e.g. `OpenAI-Organization`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called before each retry. */
  readonly onRetry?: (event: ProviderRetryEvent) => void;
  /** How to wait between attempts. Default: a timer. Tests pass a recorder. */
  readonly sleep?: (ms: number) => Promise<void>;
}
