import { setTimeout as delay } from 'node:timers/promises';
import { EmbeddingError, EmbeddingErrorCode, type EmbeddingProvider } from '@strata/embedding';
import { embeddingsEndpoint, isAzureOpenAiHost } from './embeddings-endpoint';
import { parseEmbeddingsResponse } from './embeddings-response';
import { type OpenAiCompatibleProviderOptions, type ProviderRetryEvent } from './openai-compatible-provider.options';
import { retryAfterMs } from './retry-after';

/** 400/422 bodies that mean "this input is longer than the model's context" (OpenAI, vLLM, TEI). */
const CONTEXT_EXCEEDED = /maximum context length|must have less than \d+ tokens|too many tokens|input is too long/i;
const MAX_PROVIDER_MESSAGE = 300;

/**
 * `EmbeddingProvider` for any OpenAI-compatible `/v1/embeddings` endpoint: OpenAI, Azure OpenAI, TEI,
 * vLLM, Ollama. One POST per `embed` call (the caller batches), with a per-attempt timeout, retries with
 * exponential backoff and jitter on transient failures (honouring Retry-After), and strict validation of
 * the answer: one finite numeric vector per input, in input order, all of the expected length.
 */
export class OpenAiCompatibleProvider implements EmbeddingProvider {
  readonly model: string;
  /** `origin + path` of the endpoint: safe to log (no query, no credentials). */
  readonly endpoint: string;
  readonly #url: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #apiKey: string | undefined;
  readonly #configuredDimensions: number | undefined;
  readonly #sendDimensions: boolean;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #onRetry: ((event: ProviderRetryEvent) => void) | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  #learnedDimensions: number | undefined;

  constructor(options: OpenAiCompatibleProviderOptions) {
    if (options.model.trim() === '') throw new TypeError('Embedding model name must not be empty');
    if (options.dimensions !== undefined && (!Number.isInteger(options.dimensions) || options.dimensions <= 0)) {
      throw new TypeError(`Embedding dimensions must be a positive integer, got ${options.dimensions}`);
    }
    const url = embeddingsEndpoint(options.url, options.apiVersion);
    this.model = options.model;
    this.endpoint = `${url.origin}${url.pathname}`;
    this.#url = url.toString();
    this.#apiKey = options.apiKey === '' ? undefined : options.apiKey;
    const auth = options.auth ?? (isAzureOpenAiHost(url) ? 'api-key' : 'bearer');
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...options.headers,
    };
    if (this.#apiKey !== undefined) {
      if (auth === 'api-key') headers['api-key'] = this.#apiKey;
      else headers['authorization'] = `Bearer ${this.#apiKey}`;
    }
    this.#headers = headers;
    this.#configuredDimensions = options.dimensions;
    this.#sendDimensions = options.dimensions !== undefined && (options.sendDimensions ?? true);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxRetries = options.maxRetries ?? 3;
    this.#backoffBaseMs = options.backoffBaseMs ?? 200;
    this.#backoffMaxMs = options.backoffMaxMs ?? 5_000;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.#onRetry = options.onRetry;
    this.#sleep = options.sleep ?? ((ms) => delay(ms));
  }

  /** The configured dimension, else the one learned from the first answer, else undefined. */
  get dimensions(): number | undefined {
    return this.#configuredDimensions ?? this.#learnedDimensions;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    const body = JSON.stringify(
      this.#sendDimensions
        ? { model: this.model, input: texts, dimensions: this.#configuredDimensions }
        : { model: this.model, input: texts },
    );
    for (let attempt = 0; ; attempt++) {
      let failure: EmbeddingError;
      try {
        return this.#checkDimensions(await this.#attempt(body, texts.length));
      } catch (error) {
        if (!(error instanceof EmbeddingError)) throw error;
        failure = error;
      }
      const wait = this.#retryDelay(failure, attempt);
      if (wait === undefined) throw failure;
      this.#notifyRetry({
        attempt: attempt + 1,
        delayMs: wait,
        code: failure.code,
        status: failure.status,
        message: failure.message,
      });
      await this.#sleep(wait);
    }
  }

  /** Milliseconds to wait before the next attempt, or undefined to give up with `failure`. */
  #retryDelay(failure: EmbeddingError, attempt: number): number | undefined {
    if (!failure.retryable || attempt >= this.#maxRetries) return undefined;
    if (failure.retryAfterMs !== undefined) {
      return failure.retryAfterMs <= this.#maxRetryAfterMs ? failure.retryAfterMs : undefined;
    }
    const ceiling = Math.min(this.#backoffMaxMs, this.#backoffBaseMs * 2 ** attempt);
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  async #attempt(body: string, inputCount: number): Promise<number[][]> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    let status: number | undefined;
    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        headers: this.#headers,
        body,
        signal: controller.signal,
      });
      status = response.status;
      const text = await response.text();
      if (!response.ok) throw this.#statusError(response, text);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new EmbeddingError(
          EmbeddingErrorCode.BAD_RESPONSE,
          `Embedding provider ${this.endpoint} answered ${response.status} with a body that is not JSON: ${this.#excerpt(text)}`,
          { status },
        );
      }
      return parseEmbeddingsResponse(json, inputCount);
    } catch (error) {
      if (error instanceof EmbeddingError) throw error;
      if (controller.signal.aborted) {
        throw new EmbeddingError(
          EmbeddingErrorCode.PROVIDER_TIMEOUT,
          `Embedding provider ${this.endpoint} did not answer within ${this.#timeoutMs} ms`,
          { status, cause: error },
        );
      }
      throw new EmbeddingError(
        EmbeddingErrorCode.PROVIDER_UNAVAILABLE,
        `Embedding provider ${this.endpoint} is unreachable: ${networkReason(error)}`,
        { status, cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  #statusError(response: Response, text: string): EmbeddingError {
    const status = response.status;
    const detail = this.#providerMessage(text);
    const message = `Embedding provider ${this.endpoint} answered ${status}${detail === '' ? '' : `: ${detail}`}`;
    const retryAfter = retryAfterMs(response.headers, Date.now());
    if (status === 429)
      return new EmbeddingError(EmbeddingErrorCode.PROVIDER_RATE_LIMITED, message, {
        status,
        retryAfterMs: retryAfter,
      });
    if (status === 408)
      return new EmbeddingError(EmbeddingErrorCode.PROVIDER_TIMEOUT, message, { status, retryAfterMs: retryAfter });
    if (status >= 500)
      return new EmbeddingError(EmbeddingErrorCode.PROVIDER_UNAVAILABLE, message, { status, retryAfterMs: retryAfter });
    if (status === 413 || ((status === 400 || status === 422) && CONTEXT_EXCEEDED.test(detail))) {
      return new EmbeddingError(EmbeddingErrorCode.INPUT_TOO_LARGE, message, { status });
    }
    if (status >= 400) return new EmbeddingError(EmbeddingErrorCode.PROVIDER_REJECTED, message, { status });
    return new EmbeddingError(EmbeddingErrorCode.BAD_RESPONSE, message, { status });
  }

  /** The provider's own error message (OpenAI `{error:{message}}`, TEI `{error}`, vLLM/FastAPI `{detail}`), else the raw body. */
  #providerMessage(text: string): string {
    let message = text;
    try {
      const json: unknown = JSON.parse(text);
      if (typeof json === 'object' && json !== null) {
        const { error, detail, message: plain } = json as { error?: unknown; detail?: unknown; message?: unknown };
        const nested =
          typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
        const found = [nested, error, detail, plain].find((candidate) => typeof candidate === 'string');
        if (typeof found === 'string') message = found;
      }
    } catch {
      // not JSON: keep the raw text
    }
    return this.#excerpt(message);
  }

  /** A short, single-line, key-free excerpt of provider text for error messages. */
  #excerpt(text: string): string {
    let clean = text.replace(/\s+/g, ' ').trim();
    if (this.#apiKey !== undefined) clean = clean.split(this.#apiKey).join('[REDACTED]');
    return clean.length > MAX_PROVIDER_MESSAGE ? `${clean.slice(0, MAX_PROVIDER_MESSAGE)}…` : clean;
  }

  #checkDimensions(vectors: number[][]): number[][] {
    const expected = this.dimensions ?? vectors[0]?.length;
    for (const vector of vectors) {
      if (vector.length !== expected) {
        const source =
          this.#configuredDimensions !== undefined
            ? 'the configured dimensions'
            : this.#learnedDimensions !== undefined
              ? 'the length this provider returned before'
              : 'the length of the first vector in the same answer';
        throw new EmbeddingError(
          EmbeddingErrorCode.DIMENSION_MISMATCH,
          `Embedding model "${this.model}" at ${this.endpoint} returned a ${vector.length}-dimensional vector, ` +
            `expected ${expected} (${source}). Vectors of different lengths cannot share a cache or an index: ` +
            `set the embedding dimensions to match the model, or use a new model name.`,
        );
      }
    }
    if (this.#learnedDimensions === undefined) this.#learnedDimensions = expected;
    return vectors;
  }

  #notifyRetry(event: ProviderRetryEvent): void {
    try {
      this.#onRetry?.(event);
    } catch {
      // an observer must not change the outcome of a call
    }
  }
}

/** `fetch failed` hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET…). */
function networkReason(error: unknown): string {
  // Duck-typed rather than `instanceof Error`: fetch's errors may come from another realm (test runners).
  if (typeof error !== 'object' || error === null) return String(error);
  const { cause, message } = error as { cause?: unknown; message?: unknown };
  if (typeof cause === 'object' && cause !== null) {
    const { code, message: causeMessage } = cause as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return code;
    if (typeof causeMessage === 'string') return causeMessage;
  }
  return typeof message === 'string' ? message : 'unknown network error';
}
