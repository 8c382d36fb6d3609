import { performance } from 'node:perf_hooks';
import { type EmbeddingCache, type EmbeddingProvider } from '../embedding-provider.port';
import { EmbeddingError, EmbeddingErrorCode } from '../errors/embedding-error';
import { embeddingCacheKey } from './embedding-cache-key';
import {
  type EmbeddingResult,
  type EmbeddingServiceOptions,
  type EmbeddingServiceStats,
} from './embedding-service.options';
import { type EmbeddingTelemetry, NO_EMBEDDING_TELEMETRY } from './embedding-telemetry';

/** One text on its way to a vector, shared by every caller that asks for it while it is in flight. */
interface Slot {
  readonly key: string;
  readonly text: string;
  readonly promise: Promise<number[]>;
  resolve(vector: number[]): void;
  reject(error: EmbeddingError): void;
  /**
   * When the provider is expected to have answered (`performance.now()` ms), estimated as the text joined the queue,
   * so a caller with a budget that joins it later is held to it; 0 once it has a vector, or when the provider cannot
   * estimate (always waited for); undefined while its cache read is under way.
   */
  readyAt: number | undefined;
  /** That cache read and queueing (`readyAt` is set when it settles; never rejects). */
  placing: Promise<unknown> | undefined;
}

function createSlot(key: string, text: string): Slot {
  let resolve!: (vector: number[]) => void;
  let reject!: (error: EmbeddingError) => void;
  const promise = new Promise<number[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Every caller awaits the promise itself; this only keeps a rejection that lands before a caller has
  // attached its handler from being reported as unhandled.
  promise.catch(() => undefined);
  return { key, text, promise, resolve, reject, readyAt: undefined, placing: undefined };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The embedding use case: texts in, vectors out, never embedding one (model, dimensions, text) twice.
 *
 * Per request: look every text up in the `EmbeddingCache`; join embeddings of the same text already in
 * flight for other callers (coalescing); queue the misses, which are sent to the provider in calls of at
 * most `batchSize` texts, together with other callers' misses queued within `batchWindowMs`
 * (micro-batching; a window of 0 sends them at once); write new vectors back to the cache. A text stays joinable until its cache write has
 * settled, so a repeat arriving meanwhile is not embedded again. A text queued for the provider remembers when the
 * provider expects to answer it, so a caller with a budget is held to the same estimate whether it queued the text or
 * joined it.
 *
 * The cache is an optimisation: a failing or slow cache (Redis down) is counted and skipped, never fatal.
 * Provider failures reject with `EmbeddingError`. When a shared batch is rejected for its input (too long,
 * invalid), it is split in halves and retried so one caller's bad text fails only that caller.
 */
export class EmbeddingService {
  readonly model: string;
  readonly #provider: EmbeddingProvider;
  readonly #cache: EmbeddingCache;
  readonly #batchSize: number;
  readonly #batchWindowMs: number;
  readonly #maxTextChars: number;
  readonly #cacheTimeoutMs: number;
  readonly #telemetry: EmbeddingTelemetry;
  /** The requested length, frozen at construction so cache keys survive restarts (see `embeddingCacheKey`). */
  readonly #keyDimensions: number | undefined;
  readonly #inFlight = new Map<string, Slot>();
  #queue: Slot[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** Length of the first vector the provider returned, for providers that do not report `dimensions`. */
  #seenDimensions: number | undefined;
  readonly #stats: Mutable<EmbeddingServiceStats> = {
    requests: 0,
    texts: 0,
    cacheHits: 0,
    cacheMisses: 0,
    cacheErrors: 0,
    coalesced: 0,
    providerCalls: 0,
    providerTexts: 0,
    providerErrors: 0,
  };

  /**
   * Reads `provider.model` and `provider.dimensions` once, here: construct the service before the
   * provider's first call, so the key's dimensions part is the configured one, not a learned one.
   */
  constructor(provider: EmbeddingProvider, cache: EmbeddingCache, options: EmbeddingServiceOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new TypeError(`batchSize must be a positive integer, got ${options.batchSize}`);
    }
    if (!(options.batchWindowMs >= 0)) throw new TypeError(`batchWindowMs must be >= 0, got ${options.batchWindowMs}`);
    this.#provider = provider;
    this.#cache = cache;
    this.model = provider.model;
    this.#keyDimensions = provider.dimensions;
    this.#batchSize = options.batchSize;
    this.#batchWindowMs = options.batchWindowMs;
    this.#maxTextChars = options.maxTextChars ?? Number.POSITIVE_INFINITY;
    this.#cacheTimeoutMs = options.cacheTimeoutMs ?? 250;
    this.#telemetry = options.telemetry ?? NO_EMBEDDING_TELEMETRY;
  }

  /** The vector length, once known (from the provider, or from its first answer). */
  get dimensions(): number | undefined {
    return this.#provider.dimensions ?? this.#seenDimensions;
  }

  /** Texts waiting for a vector, or holding one until its cache write settles (a gauge). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Counters since start (a snapshot). */
  stats(): EmbeddingServiceStats {
    return { ...this.#stats };
  }

  /** The cache key of `text` for this service's model: what the `EmbeddingCache` sees. */
  cacheKey(text: string): string {
    return embeddingCacheKey(this.model, this.#keyDimensions, text);
  }

  /**
   * Vectors for `texts`, in order. With `budgetMs` (a caller that has only that long: a cache lookup), a request whose
   * texts the provider could not embed in time by its own estimate (`EmbeddingProvider.backlogMs`, asked as each text
   * joined the queue: its own new texts, or texts in flight for other callers that it joins) is refused at once with
   * `PROVIDER_BUSY`; its texts are embedded and cached all the same, so the caller that asks again without a budget
   * (the answer's store) finds them in flight or cached.
   */
  async embed(texts: readonly string[], options: { readonly budgetMs?: number } = {}): Promise<EmbeddingResult> {
    const deadline = options.budgetMs === undefined ? undefined : performance.now() + options.budgetMs;
    this.#stats.requests++;
    this.#stats.texts += texts.length;
    for (let i = 0; i < texts.length; i++) {
      const length = texts[i].length;
      if (length > this.#maxTextChars) {
        throw new EmbeddingError(
          EmbeddingErrorCode.INPUT_TOO_LARGE,
          `Text ${i} has ${length} characters; the limit is ${this.#maxTextChars}`,
        );
      }
    }
    if (texts.length === 0) return { model: this.model, dimensions: this.dimensions ?? 0, vectors: [] };

    let vectors = await this.#resolve(texts, true, deadline);
    if (!sameLength(vectors)) {
      // Only possible when the cache held vectors of another length under this model name (the model
      // behind the name changed) before the provider's first answer told us the current length. Those
      // entries are rejected from now on; embed this request afresh, which also overwrites them.
      vectors = await this.#resolve(texts, false);
      if (!sameLength(vectors)) {
        throw new EmbeddingError(
          EmbeddingErrorCode.DIMENSION_MISMATCH,
          `Embedding model "${this.model}" produced vectors of different lengths within one request`,
        );
      }
    }
    return { model: this.model, dimensions: vectors[0].length, vectors };
  }

  async #resolve(texts: readonly string[], readCache: boolean, deadline?: number): Promise<number[][]> {
    const waiting = new Array<Promise<number[]>>(texts.length);
    const fresh: Slot[] = [];
    let joined = 0;
    // With a budget: the latest answer expected among the texts, and those joined before their cache read settled (rare).
    let readyAt = 0;
    let unplaced: Slot[] | undefined;
    for (let i = 0; i < texts.length; i++) {
      const key = this.cacheKey(texts[i]);
      let slot = this.#inFlight.get(key);
      if (slot === undefined) {
        slot = createSlot(key, texts[i]);
        this.#inFlight.set(key, slot);
        fresh.push(slot);
      } else {
        joined++;
        if (deadline !== undefined) {
          if (slot.readyAt === undefined) (unplaced ??= []).push(slot);
          else if (slot.readyAt > readyAt) readyAt = slot.readyAt;
        }
      }
      waiting[i] = slot.promise;
    }
    if (joined > 0) {
      this.#stats.coalesced += joined;
      this.#notify((t) => t.coalesced(joined));
    }
    if (fresh.length > 0) {
      if (readCache) {
        const placing = this.#lookUp(fresh);
        for (const slot of fresh) slot.placing = placing;
        readyAt = Math.max(readyAt, await placing);
      } else {
        readyAt = Math.max(readyAt, this.#enqueue(fresh));
      }
    }
    if (unplaced !== undefined) {
      for (const slot of unplaced) {
        await slot.placing;
        readyAt = Math.max(readyAt, slot.readyAt ?? 0);
      }
    }
    if (deadline !== undefined && readyAt > deadline) {
      // The texts stay queued (and are cached when embedded); only this caller stops waiting.
      throw EmbeddingError.shed(
        EmbeddingErrorCode.PROVIDER_BUSY,
        `Embedding provider for "${this.model}" would answer in ~${Math.round(readyAt - performance.now())} ms, past this request's budget`,
      );
    }
    return Promise.all(waiting);
  }

  /**
   * Resolves cache hits, queues the rest. Never rejects: a failing cache means "all misses". Returns when the provider
   * expects to have answered the queued misses (see `#enqueue`).
   */
  async #lookUp(slots: readonly Slot[]): Promise<number> {
    let cached: readonly (number[] | undefined)[] | undefined;
    try {
      cached = await this.#withCacheTimeout(this.#cache.getMany(slots.map((slot) => slot.key)), 'read');
    } catch (error) {
      this.#cacheFailed('get', error);
    }
    const expected = this.dimensions;
    const misses: Slot[] = [];
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      const vector = cached?.[i];
      if (isVector(vector, expected)) {
        slot.readyAt = 0;
        slot.resolve(vector);
        this.#release(slot);
      } else {
        misses.push(slot);
      }
    }
    const hits = slots.length - misses.length;
    this.#stats.cacheHits += hits;
    this.#stats.cacheMisses += misses.length;
    this.#notify((t) => t.cacheLookup(hits, misses.length));
    return this.#enqueue(misses);
  }

  /**
   * Queues `slots` for the provider and returns when it expects to have answered them, which each slot remembers for
   * the callers that join it: the provider's estimate asked before they join the queue (what is ahead of them and their
   * own cost), plus the batch window at most. 0 when the provider cannot estimate, or nothing was queued.
   */
  #enqueue(slots: readonly Slot[]): number {
    if (slots.length === 0) return 0;
    const backlogMs = this.#backlogMs(slots.length);
    const readyAt = backlogMs === undefined ? 0 : performance.now() + backlogMs + this.#batchWindowMs;
    for (const slot of slots) slot.readyAt = readyAt;
    this.#queue.push(...slots);
    while (this.#queue.length >= this.#batchSize) {
      this.#dispatch(this.#queue.splice(0, this.#batchSize));
    }
    if (this.#queue.length > 0 && this.#batchWindowMs === 0) {
      // No window: what is left goes out now, as one batch, instead of a timer's turn later.
      const batch = this.#queue;
      this.#queue = [];
      this.#dispatch(batch);
    }
    if (this.#queue.length === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        const batch = this.#queue;
        this.#queue = [];
        this.#dispatch(batch);
      }, this.#batchWindowMs);
    }
    return readyAt;
  }

  /**
   * The provider's estimate for `texts` more texts, or undefined when it cannot tell: it has no `backlogMs`, or the
   * estimate threw or was not a finite number (reported; the texts are queued all the same and always waited for).
   */
  #backlogMs(texts: number): number | undefined {
    if (this.#provider.backlogMs === undefined) return undefined;
    let estimate: number;
    try {
      estimate = this.#provider.backlogMs(texts);
    } catch (error) {
      this.#notify((t) => t.backlogEstimateFailed?.(error));
      return undefined;
    }
    if (Number.isFinite(estimate)) return estimate;
    this.#notify((t) =>
      t.backlogEstimateFailed?.(new TypeError(`backlogMs(${texts}) returned ${String(estimate)}, not a finite number`)),
    );
    return undefined;
  }

  #dispatch(batch: Slot[]): void {
    if (batch.length > 0) void this.#embedBatch(batch);
  }

  /** One provider call for `batch`; settles every slot in it. Never rejects. */
  async #embedBatch(batch: readonly Slot[]): Promise<void> {
    const started = performance.now();
    this.#stats.providerCalls++;
    this.#stats.providerTexts += batch.length;
    let vectors: number[][];
    try {
      vectors = this.#checkAnswer(await this.#provider.embed(batch.map((slot) => slot.text)), batch.length);
    } catch (error) {
      const failure = asEmbeddingError(error);
      this.#stats.providerErrors++;
      this.#notify((t) => t.providerCall(batch.length, (performance.now() - started) / 1000, failure.code));
      if (batch.length > 1 && isInputError(failure)) {
        const half = Math.ceil(batch.length / 2);
        await Promise.all([this.#embedBatch(batch.slice(0, half)), this.#embedBatch(batch.slice(half))]);
        return;
      }
      for (const slot of batch) {
        slot.reject(failure);
        this.#release(slot);
      }
      return;
    }
    this.#notify((t) => t.providerCall(batch.length, (performance.now() - started) / 1000, 'ok'));
    for (let i = 0; i < batch.length; i++) {
      // Joinable until its cache write settles: a caller that joins now has its vector at once.
      batch[i].readyAt = 0;
      batch[i].resolve(vectors[i]);
    }
    try {
      await this.#withCacheTimeout(
        this.#cache.setMany(batch.map((slot, i) => [slot.key, vectors[i]] as const)),
        'write',
      );
    } catch (error) {
      this.#cacheFailed('set', error);
    }
    for (const slot of batch) this.#release(slot);
  }

  /** Holds the provider to the port's contract: one vector per text, all of the model's length. */
  #checkAnswer(vectors: unknown, count: number): number[][] {
    if (!Array.isArray(vectors) || vectors.length !== count) {
      throw new EmbeddingError(
        EmbeddingErrorCode.BAD_RESPONSE,
        `Embedding provider for "${this.model}" returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${count} texts`,
      );
    }
    const expected = this.dimensions ?? (vectors[0] as unknown[] | undefined)?.length;
    for (const vector of vectors as unknown[]) {
      if (!isVector(vector, undefined)) {
        throw new EmbeddingError(
          EmbeddingErrorCode.BAD_RESPONSE,
          `Embedding provider for "${this.model}" returned a non-numeric vector`,
        );
      }
      if (vector.length !== expected) {
        throw new EmbeddingError(
          EmbeddingErrorCode.DIMENSION_MISMATCH,
          `Embedding model "${this.model}" returned a ${vector.length}-dimensional vector, expected ${expected}`,
        );
      }
    }
    this.#seenDimensions ??= expected;
    return vectors as number[][];
  }

  /** Ends a slot's joinable life (unless a newer slot took its key). */
  #release(slot: Slot): void {
    if (this.#inFlight.get(slot.key) === slot) this.#inFlight.delete(slot.key);
  }

  #withCacheTimeout<T>(operation: Promise<T>, what: string): Promise<T> {
    if (this.#cache.inProcess === true || !Number.isFinite(this.#cacheTimeoutMs) || this.#cacheTimeoutMs <= 0)
      return operation;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`embedding cache ${what} took longer than ${this.#cacheTimeoutMs} ms`)),
        this.#cacheTimeoutMs,
      );
    });
    return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
  }

  #cacheFailed(operation: 'get' | 'set', error: unknown): void {
    this.#stats.cacheErrors++;
    this.#notify((t) => t.cacheError(operation, error));
  }

  #notify(report: (telemetry: EmbeddingTelemetry) => void): void {
    try {
      report(this.#telemetry);
    } catch {
      // telemetry must not change the outcome of a request
    }
  }
}

function isVector(value: unknown, dimensions: number | undefined): value is number[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  if (dimensions !== undefined && value.length !== dimensions) return false;
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  }
  return true;
}

function sameLength(vectors: readonly number[][]): boolean {
  const first = vectors[0]?.length;
  return vectors.every((vector) => vector.length === first);
}

/** Rejections caused by the input itself: worth isolating by splitting a shared batch. */
function isInputError(error: EmbeddingError): boolean {
  if (error.code === EmbeddingErrorCode.INPUT_TOO_LARGE) return true;
  return error.code === EmbeddingErrorCode.PROVIDER_REJECTED && (error.status === 400 || error.status === 422);
}

function asEmbeddingError(error: unknown): EmbeddingError {
  if (error instanceof EmbeddingError) return error;
  const message =
    typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  return new EmbeddingError(EmbeddingErrorCode.PROVIDER_UNAVAILABLE, `Embedding provider failed: ${message}`, {
    cause: error,
  });
}
