import { type EmbeddingCache, type EmbeddingProvider } from '../embedding-provider.port';
import { EmbeddingError, EmbeddingErrorCode } from '../errors/embedding-error';
import { embeddingCacheKey } from './embedding-cache-key';
import { type EmbeddingServiceOptions } from './embedding-service.options';
import { type EmbeddingTelemetry } from './embedding-telemetry';
import { EmbeddingService } from './embedding.service';

/** A deterministic 3-d vector per text, so tests can tell which text a vector belongs to. */
function vectorOf(text: string): number[] {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum += text.charCodeAt(i);
  return [text.length, sum, 1];
}

class FakeProvider implements EmbeddingProvider {
  readonly calls: string[][] = [];
  failWith: Error | undefined = undefined;
  /** Rejects the whole call with INPUT_TOO_LARGE (as OpenAI does) when any text contains this marker. */
  rejectInputContaining: string | undefined;
  answer: ((texts: readonly string[]) => number[][]) | undefined;

  dimensions: number | undefined = 3;

  constructor(readonly model = 'fake-model') {}

  embed(texts: readonly string[]): Promise<number[][]> {
    this.calls.push([...texts]);
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    if (this.rejectInputContaining !== undefined && texts.some((text) => text.includes(this.rejectInputContaining!))) {
      return Promise.reject(new EmbeddingError(EmbeddingErrorCode.INPUT_TOO_LARGE, 'too long', { status: 400 }));
    }
    return Promise.resolve(this.answer ? this.answer(texts) : texts.map(vectorOf));
  }

  get texts(): string[] {
    return this.calls.flat();
  }
}

class FakeCache implements EmbeddingCache {
  readonly entries = new Map<string, number[]>();
  inProcess = false;
  reads = 0;
  failReads = false;
  failWrites = false;
  hangReads = false;
  /** While set, reads wait until `releaseReads()`. */
  #readGate: Promise<void> | undefined;
  #openReads: (() => void) | undefined;
  /** While set, writes wait until `releaseWrites()`. */
  #writeGate: Promise<void> | undefined;
  #openGate: (() => void) | undefined;

  getMany(keys: readonly string[]): Promise<(number[] | undefined)[]> {
    this.reads++;
    if (this.hangReads) return new Promise(() => undefined);
    if (this.failReads) return Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379'));
    if (this.#readGate) return this.#readGate.then(() => keys.map((key) => this.entries.get(key)));
    return Promise.resolve(keys.map((key) => this.entries.get(key)));
  }

  holdReads(): void {
    this.#readGate = new Promise((resolve) => (this.#openReads = resolve));
  }

  releaseReads(): void {
    this.#openReads?.();
    this.#readGate = undefined;
  }

  async setMany(entries: readonly (readonly [key: string, vector: number[]])[]): Promise<void> {
    if (this.failWrites) throw new Error('ECONNREFUSED 127.0.0.1:6379');
    await this.#writeGate;
    for (const [key, vector] of entries) this.entries.set(key, vector);
  }

  holdWrites(): void {
    this.#writeGate = new Promise((resolve) => (this.#openGate = resolve));
  }

  releaseWrites(): void {
    this.#openGate?.();
    this.#writeGate = undefined;
  }
}

class RecordingTelemetry implements EmbeddingTelemetry {
  readonly events: string[] = [];
  cacheLookup(hits: number, misses: number): void {
    this.events.push(`lookup ${hits}/${misses}`);
  }
  cacheError(operation: 'get' | 'set'): void {
    this.events.push(`cache-error ${operation}`);
  }
  coalesced(texts: number): void {
    this.events.push(`coalesced ${texts}`);
  }
  providerCall(texts: number, _seconds: number, outcome: string): void {
    this.events.push(`provider ${texts} ${outcome}`);
  }
  backlogEstimateFailed(): void {
    this.events.push('backlog-estimate-failed');
  }
}

function setup(options: Partial<EmbeddingServiceOptions> = {}, provider = new FakeProvider()) {
  const cache = new FakeCache();
  const telemetry = new RecordingTelemetry();
  const sut = new EmbeddingService(provider, cache, {
    batchSize: 4,
    batchWindowMs: 1,
    cacheTimeoutMs: 1_000,
    telemetry,
    ...options,
  });
  return { sut, provider, cache, telemetry };
}

/** Polls (one event-loop turn at a time, no sleeps) until `check` holds. */
async function eventually(check: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1_000; turn++) {
    if (check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not met');
}

async function rejectionOf(promise: Promise<unknown>): Promise<EmbeddingError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EmbeddingError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe(EmbeddingService.name, () => {
  it('returns one vector per text in input order with the model and dimension', async () => {
    const { sut } = setup();

    const result = await sut.embed(['alpha', 'be', 'gamma ray']);

    expect(result).toEqual({
      model: 'fake-model',
      dimensions: 3,
      vectors: [vectorOf('alpha'), vectorOf('be'), vectorOf('gamma ray')],
    });
  });

  it('embeds the same text asked twice only once, serving the repeat from the cache', async () => {
    const { sut, provider, cache } = setup();

    await sut.embed(['what is the capital of France?']);
    await eventually(() => sut.inFlight === 0);
    const again = await sut.embed(['what is the capital of France?']);

    expect(provider.calls).toHaveLength(1);
    expect(again.vectors).toEqual([vectorOf('what is the capital of France?')]);
    expect(cache.entries.get(sut.cacheKey('what is the capital of France?'))).toEqual(again.vectors[0]);
    expect(sut.stats()).toMatchObject({ cacheHits: 1, cacheMisses: 1, providerCalls: 1 });
  });

  it('does not embed again after a restart when the cache persists (same key for the same model, dimension and text)', async () => {
    const { sut, cache } = setup();
    await sut.embed(['persisted text']);
    await eventually(() => sut.inFlight === 0);

    const restartedProvider = new FakeProvider();
    const restarted = new EmbeddingService(restartedProvider, cache, { batchSize: 4, batchWindowMs: 1 });
    const result = await restarted.embed(['persisted text']);

    expect(restartedProvider.calls).toHaveLength(0);
    expect(result.vectors).toEqual([vectorOf('persisted text')]);
  });

  it('keys the cache by the requested dimension, so an HTTP provider that learns its length later keeps its keys', async () => {
    const learning = new FakeProvider('text-embedding-3-small');
    learning.dimensions = undefined;
    const { sut, cache } = setup({}, learning);

    await sut.embed(['hello']);
    await eventually(() => sut.inFlight === 0);
    learning.dimensions = 3; // the provider has learned the length from its first answer

    expect([...cache.entries.keys()]).toEqual([embeddingCacheKey('text-embedding-3-small', undefined, 'hello')]);
    expect(sut.cacheKey('hello')).toBe(embeddingCacheKey('text-embedding-3-small', undefined, 'hello'));
  });

  it('sends one provider call for the same text requested concurrently', async () => {
    const { sut, provider, telemetry } = setup();

    const [a, b, c] = await Promise.all([sut.embed(['same']), sut.embed(['same']), sut.embed(['same', 'same'])]);

    expect(provider.texts).toEqual(['same']);
    expect(a.vectors).toEqual([vectorOf('same')]);
    expect(b.vectors).toEqual(a.vectors);
    expect(c.vectors).toEqual([vectorOf('same'), vectorOf('same')]);
    expect(sut.stats().coalesced).toBe(3);
    expect(telemetry.events).toContain('provider 1 ok');
  });

  it('batches concurrent misses from different callers into ceil(n / batchSize) provider calls', async () => {
    const { sut, provider } = setup({ batchSize: 4 });
    const texts = Array.from({ length: 10 }, (_, i) => `question number ${i}`);

    const results = await Promise.all(texts.map((text) => sut.embed([text])));

    expect(provider.calls).toHaveLength(Math.ceil(10 / 4));
    expect(provider.calls.every((call) => call.length <= 4)).toBe(true);
    expect(provider.texts.sort()).toEqual([...texts].sort());
    results.forEach((result, i) => expect(result.vectors).toEqual([vectorOf(texts[i])]));
  });

  it('with a batch window of 0, sends a miss to the provider at once instead of waiting for other callers', async () => {
    const { sut, provider } = setup({ batchWindowMs: 0 });

    const pending = sut.embed(['alone']);
    // The cache read settles within a few microtasks; no timer turn is needed to reach the provider.
    for (let i = 0; i < 10 && provider.calls.length === 0; i++) await Promise.resolve();

    expect(provider.calls).toEqual([['alone']]);
    expect((await pending).vectors).toEqual([vectorOf('alone')]);
  });

  it('splits one large request into provider calls of at most batchSize texts', async () => {
    const { sut, provider } = setup({ batchSize: 3 });
    const texts = Array.from({ length: 7 }, (_, i) => `t${i}`);

    const result = await sut.embed(texts);

    expect(provider.calls.map((call) => call.length)).toEqual([3, 3, 1]);
    expect(result.vectors).toEqual(texts.map(vectorOf));
  });

  it('asks the provider only for the misses of a partly cached request', async () => {
    const { sut, provider, cache } = setup();
    await sut.embed(['cached']);
    await eventually(() => sut.inFlight === 0);

    await sut.embed(['cached', 'new one']);

    expect(provider.calls).toEqual([['cached'], ['new one']]);
    expect(cache.entries.size).toBe(2);
  });

  it('does not embed a text again while its cache write is still in progress', async () => {
    const { sut, provider, cache } = setup();
    cache.holdWrites();

    await sut.embed(['slow write']);
    const repeat = await sut.embed(['slow write']);
    cache.releaseWrites();

    expect(provider.calls).toHaveLength(1);
    expect(repeat.vectors).toEqual([vectorOf('slow write')]);
  });

  it('falls back to the provider when the cache cannot be read, and counts the failure', async () => {
    const { sut, provider, cache, telemetry } = setup();
    cache.failReads = true;

    const result = await sut.embed(['redis is down']);

    expect(result.vectors).toEqual([vectorOf('redis is down')]);
    expect(provider.calls).toHaveLength(1);
    expect(sut.stats().cacheErrors).toBe(1);
    expect(telemetry.events).toContain('cache-error get');
  });

  it('falls back to the provider when a cache read hangs past the cache timeout', async () => {
    const { sut, provider, cache } = setup({ cacheTimeoutMs: 5 });
    cache.hangReads = true;

    const result = await sut.embed(['redis is hanging']);

    expect(result.vectors).toEqual([vectorOf('redis is hanging')]);
    expect(provider.calls).toHaveLength(1);
    expect(sut.stats().cacheErrors).toBe(1);
  });

  it('waits for an in-process cache however long it takes (it cannot hang): no cache timeout, no error', async () => {
    jest.useFakeTimers();
    try {
      const { sut, provider, cache } = setup({ cacheTimeoutMs: 5 });
      cache.inProcess = true;
      cache.entries.set(sut.cacheKey('remembered'), [9, 9, 9]);
      cache.holdReads();

      const result = sut.embed(['remembered']);
      await jest.advanceTimersByTimeAsync(50);
      cache.releaseReads();

      expect((await result).vectors).toEqual([[9, 9, 9]]);
      expect(provider.calls).toHaveLength(0);
      expect(sut.stats().cacheErrors).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('still answers when the cache cannot be written, and embeds again on the next request', async () => {
    const { sut, provider, cache, telemetry } = setup();
    cache.failWrites = true;

    const first = await sut.embed(['unwritable']);
    await eventually(() => telemetry.events.includes('cache-error set'));
    expect(first.vectors).toEqual([vectorOf('unwritable')]);

    cache.failWrites = false;
    await sut.embed(['unwritable']);
    expect(provider.calls).toHaveLength(2);
  });

  it('ignores a cached vector of another length and embeds the text again', async () => {
    const { sut, provider, cache } = setup();
    cache.entries.set(sut.cacheKey('stale'), [1, 2, 3, 4, 5]);

    const result = await sut.embed(['stale']);

    expect(result.vectors).toEqual([vectorOf('stale')]);
    expect(provider.calls).toEqual([['stale']]);
    await eventually(() => cache.entries.get(sut.cacheKey('stale'))?.length === 3);
  });

  it('re-embeds cached vectors whose length disagrees with a provider that reports its length only after answering', async () => {
    const learning = new FakeProvider('renamed-model');
    learning.dimensions = undefined;
    learning.answer = (texts) => {
      learning.dimensions = 3;
      return texts.map(vectorOf);
    };
    const { sut, cache } = setup({}, learning);
    cache.entries.set(sut.cacheKey('old'), [9, 9]); // written when the name pointed at a 2-d model

    const result = await sut.embed(['old', 'new']);

    expect(result).toMatchObject({ dimensions: 3, vectors: [vectorOf('old'), vectorOf('new')] });
  });

  it('rejects with the provider EmbeddingError for every text of a failed call', async () => {
    const { sut, provider, telemetry } = setup();
    provider.failWith = new EmbeddingError(EmbeddingErrorCode.PROVIDER_UNAVAILABLE, 'provider down', { status: 503 });

    const errors = await Promise.all([rejectionOf(sut.embed(['a'])), rejectionOf(sut.embed(['b']))]);

    expect(errors.map((error) => error.code)).toEqual([
      EmbeddingErrorCode.PROVIDER_UNAVAILABLE,
      EmbeddingErrorCode.PROVIDER_UNAVAILABLE,
    ]);
    expect(errors[0].retryable).toBe(true);
    expect(telemetry.events).toContain(`provider 2 ${EmbeddingErrorCode.PROVIDER_UNAVAILABLE}`);
  });

  it('wraps a provider failure that is not an EmbeddingError as PROVIDER_UNAVAILABLE', async () => {
    const { sut, provider } = setup();
    provider.failWith = new Error('socket hang up');

    const error = await rejectionOf(sut.embed(['x']));

    expect(error.code).toBe(EmbeddingErrorCode.PROVIDER_UNAVAILABLE);
    expect(error.message).toContain('socket hang up');
  });

  it('calls the provider again for a text whose previous embedding failed', async () => {
    const { sut, provider } = setup();
    provider.failWith = new EmbeddingError(EmbeddingErrorCode.PROVIDER_TIMEOUT, 'slow');
    await rejectionOf(sut.embed(['retry me']));

    provider.failWith = undefined;
    const result = await sut.embed(['retry me']);

    expect(result.vectors).toEqual([vectorOf('retry me')]);
    expect(provider.calls).toHaveLength(2);
  });

  it('fails only the caller whose text the provider rejects when batched with other callers', async () => {
    const { sut, provider } = setup({ batchSize: 8 });
    provider.rejectInputContaining = 'HUGE';

    const [good1, bad, good2] = await Promise.allSettled([
      sut.embed(['fine one']),
      sut.embed(['HUGE text']),
      sut.embed(['fine two']),
    ]);

    expect(good1.status === 'fulfilled' && good1.value.vectors).toEqual([vectorOf('fine one')]);
    expect(good2.status === 'fulfilled' && good2.value.vectors).toEqual([vectorOf('fine two')]);
    expect(bad.status === 'rejected' && (bad.reason as EmbeddingError).code).toBe(EmbeddingErrorCode.INPUT_TOO_LARGE);
  });

  describe('a caller with a budget (a cache lookup)', () => {
    /** A provider that says how far behind it is, and answers only when released. */
    class BackloggedProvider extends FakeProvider {
      behindMs = 0;
      readonly asked: number[] = [];
      #release: (() => void) | undefined;
      #held: Promise<void> | undefined;

      backlogMs(texts: number): number {
        this.asked.push(texts);
        return this.behindMs;
      }

      hold(): void {
        this.#held = new Promise((resolve) => (this.#release = resolve));
      }

      release(): void {
        this.#release?.();
      }

      override async embed(texts: readonly string[]): Promise<number[][]> {
        const answer = super.embed(texts);
        await this.#held;
        return answer;
      }
    }

    it('is refused at once with PROVIDER_BUSY when the provider would answer after its budget, and the text is still embedded and cached for the next caller', async () => {
      const provider = new BackloggedProvider();
      const { sut, cache } = setup({ batchWindowMs: 0 }, provider);
      provider.behindMs = 120;
      provider.hold();

      const error = await rejectionOf(sut.embed(['what is a vector?'], { budgetMs: 50 }));
      // The store that follows the lookup asks without a budget: it joins the embedding already under way.
      const store = sut.embed(['what is a vector?']);
      provider.release();

      expect(error.code).toBe(EmbeddingErrorCode.PROVIDER_BUSY);
      expect(error.retryable).toBe(true);
      expect((await store).vectors).toEqual([vectorOf('what is a vector?')]);
      expect(provider.calls).toEqual([['what is a vector?']]);
      await eventually(() => cache.entries.has(sut.cacheKey('what is a vector?')));
    });

    it('waits when the provider can answer within the budget', async () => {
      const provider = new BackloggedProvider();
      const { sut } = setup({ batchWindowMs: 0 }, provider);
      provider.behindMs = 20;

      const result = await sut.embed(['quick one'], { budgetMs: 50 });

      expect(result.vectors).toEqual([vectorOf('quick one')]);
      expect(provider.asked).toEqual([1]);
    });

    it('counts the batch window in the wait', async () => {
      const provider = new BackloggedProvider();
      const { sut } = setup({ batchWindowMs: 40 }, provider);
      provider.behindMs = 20;

      const error = await rejectionOf(sut.embed(['windowed'], { budgetMs: 50 }));

      expect(error.code).toBe(EmbeddingErrorCode.PROVIDER_BUSY);
    });

    it('is answered from the cache however far behind the provider is', async () => {
      const provider = new BackloggedProvider();
      const { sut, cache } = setup({ batchWindowMs: 0 }, provider);
      cache.entries.set(sut.cacheKey('known'), vectorOf('known'));
      provider.behindMs = 10_000;

      const result = await sut.embed(['known'], { budgetMs: 50 });

      expect(result.vectors).toEqual([vectorOf('known')]);
      expect(provider.calls).toHaveLength(0);
    });

    it('always waits without a budget, and with a provider that cannot tell its backlog', async () => {
      const backlogged = new BackloggedProvider();
      backlogged.behindMs = 10_000;
      const plain = new FakeProvider();

      const unbudgeted = await setup({ batchWindowMs: 0 }, backlogged).sut.embed(['no budget']);
      const untold = await setup({ batchWindowMs: 0 }, plain).sut.embed(['no estimate'], { budgetMs: 1 });

      expect(unbudgeted.vectors).toEqual([vectorOf('no budget')]);
      expect(untold.vectors).toEqual([vectorOf('no estimate')]);
      // Asked all the same, as its text joins the queue: for the callers with a budget that may join it.
      expect(backlogged.asked).toEqual([1]);
    });

    it.each([
      [
        'throws',
        (): number => {
          throw new Error('encoder stats not ready');
        },
      ],
      ['returns NaN', (): number => Number.NaN],
    ])(
      'treats an estimate that %s as none: the text is embedded, every caller that joins it is answered, and the failure is reported',
      async (_, backlogMs) => {
        const provider = Object.assign(new FakeProvider(), { backlogMs });
        const { sut, telemetry } = setup({ batchWindowMs: 0 }, provider);

        const budgeted = sut.embed(['estimate broke'], { budgetMs: 1 });
        const joiner = sut.embed(['estimate broke'], { budgetMs: 1 });
        const unbudgeted = sut.embed(['estimate broke']);

        expect((await budgeted).vectors).toEqual([vectorOf('estimate broke')]);
        expect((await joiner).vectors).toEqual([vectorOf('estimate broke')]);
        expect((await unbudgeted).vectors).toEqual([vectorOf('estimate broke')]);
        expect(provider.calls).toEqual([['estimate broke']]);
        expect(telemetry.events).toContain('backlog-estimate-failed');
        await eventually(() => sut.inFlight === 0);
      },
    );

    it('does not leave a text in flight when the estimate throws: a later caller of the same text is answered, not left waiting', async () => {
      const provider = Object.assign(new FakeProvider(), {
        backlogMs: (): number => {
          throw new Error('encoder stats not ready');
        },
      });
      const { sut } = setup({ batchWindowMs: 0 }, provider);
      await sut.embed(['first ask'], { budgetMs: 50 }).catch(() => undefined);

      let answered = false;
      void sut.embed(['first ask']).then(() => (answered = true));

      await eventually(() => answered);
      expect(sut.inFlight).toBe(0);
    });

    describe('joining a text in flight for another caller', () => {
      /** What `promise` has come to after a few event-loop turns: its rejection's code, 'resolved', or 'waiting'. */
      async function outcomeSoon(promise: Promise<unknown>): Promise<string> {
        let outcome = 'waiting';
        promise.then(
          () => (outcome = 'resolved'),
          (error: unknown) => (outcome = error instanceof EmbeddingError ? error.code : String(error)),
        );
        for (let turn = 0; turn < 10 && outcome === 'waiting'; turn++) {
          await new Promise((resolve) => setImmediate(resolve));
        }
        return outcome;
      }

      it('is refused at once with PROVIDER_BUSY when the text was expected past its budget as it was queued, and the embedding goes on for the callers that wait', async () => {
        const provider = new BackloggedProvider();
        const { sut, cache } = setup({ batchWindowMs: 0 }, provider);
        provider.behindMs = 10_000;
        provider.hold();
        const first = sut.embed(['popular question'], { budgetMs: 50 });
        expect(await outcomeSoon(first)).toBe(EmbeddingErrorCode.PROVIDER_BUSY);
        // By now the encoder says it is idle: the estimate that holds is the one made as the text was queued.
        provider.behindMs = 0;

        const joiner = sut.embed(['popular question'], { budgetMs: 50 });
        const store = sut.embed(['popular question']);

        expect(await outcomeSoon(joiner)).toBe(EmbeddingErrorCode.PROVIDER_BUSY);
        expect(await outcomeSoon(store)).toBe('waiting');
        provider.release();
        expect((await store).vectors).toEqual([vectorOf('popular question')]);
        expect(provider.calls).toEqual([['popular question']]);
        expect(sut.stats().coalesced).toBe(2);
        await eventually(() => cache.entries.has(sut.cacheKey('popular question')));
      });

      it('joins when the text is expected within its budget', async () => {
        const provider = new BackloggedProvider();
        const { sut } = setup({ batchWindowMs: 0 }, provider);
        provider.behindMs = 20;
        provider.hold();
        const first = sut.embed(['popular question'], { budgetMs: 50 });
        await eventually(() => provider.calls.length === 1);
        // By now the encoder says it is far behind: the estimate that holds is the one made as the text was queued.
        provider.behindMs = 10_000;

        const joiner = sut.embed(['popular question'], { budgetMs: 50 });

        expect(await outcomeSoon(joiner)).toBe('waiting');
        provider.release();
        expect((await joiner).vectors).toEqual([vectorOf('popular question')]);
        expect((await first).vectors).toEqual([vectorOf('popular question')]);
        expect(provider.calls).toHaveLength(1);
      });

      it('is held to the estimate made when a caller without a budget queued the text', async () => {
        const provider = new BackloggedProvider();
        const { sut } = setup({ batchWindowMs: 0 }, provider);
        provider.behindMs = 10_000;
        provider.hold();
        const unbudgeted = sut.embed(['asked by the console']);
        await eventually(() => provider.calls.length === 1);

        const joiner = sut.embed(['asked by the console'], { budgetMs: 50 });

        expect(await outcomeSoon(joiner)).toBe(EmbeddingErrorCode.PROVIDER_BUSY);
        provider.release();
        expect((await unbudgeted).vectors).toEqual([vectorOf('asked by the console')]);
      });

      it('waits for the cache read of a text joined before it settled: a hit is served however far behind the provider is, a miss is held to the estimate', async () => {
        const provider = new BackloggedProvider();
        const { sut, cache } = setup({ batchWindowMs: 0 }, provider);
        cache.entries.set(sut.cacheKey('cached'), vectorOf('cached'));
        provider.behindMs = 10_000;
        provider.hold();
        cache.holdReads();
        const firstHit = sut.embed(['cached']);
        const firstMiss = sut.embed(['new']);

        const hitJoiner = sut.embed(['cached'], { budgetMs: 50 });
        const missJoiner = sut.embed(['new'], { budgetMs: 50 });
        cache.releaseReads();

        expect(await outcomeSoon(hitJoiner)).toBe('resolved');
        expect(await outcomeSoon(missJoiner)).toBe(EmbeddingErrorCode.PROVIDER_BUSY);
        expect((await hitJoiner).vectors).toEqual([vectorOf('cached')]);
        expect((await firstHit).vectors).toEqual([vectorOf('cached')]);
        provider.release();
        expect((await firstMiss).vectors).toEqual([vectorOf('new')]);
        expect(provider.calls).toEqual([['new']]);
      });

      it('is served at once once the vector has arrived, while its cache write is under way', async () => {
        const provider = new BackloggedProvider();
        const { sut, cache } = setup({ batchWindowMs: 0 }, provider);
        provider.behindMs = 10_000;
        cache.holdWrites();
        await sut.embed(['slow to store']);
        expect(sut.inFlight).toBe(1);

        const joiner = sut.embed(['slow to store'], { budgetMs: 50 });

        expect(await outcomeSoon(joiner)).toBe('resolved');
        expect((await joiner).vectors).toEqual([vectorOf('slow to store')]);
        cache.releaseWrites();
      });
    });
  });

  it('rejects a text over maxTextChars without calling the provider', async () => {
    const { sut, provider } = setup({ maxTextChars: 10 });

    const error = await rejectionOf(sut.embed(['short', 'much longer than ten']));

    expect(error.code).toBe(EmbeddingErrorCode.INPUT_TOO_LARGE);
    expect(error.retryable).toBe(false);
    expect(provider.calls).toHaveLength(0);
  });

  it('rejects a provider answer with the wrong number of vectors as BAD_RESPONSE', async () => {
    const { sut, provider } = setup();
    provider.answer = () => [[1, 2, 3]];

    const error = await rejectionOf(sut.embed(['one', 'two']));

    expect(error.code).toBe(EmbeddingErrorCode.BAD_RESPONSE);
  });

  it('rejects provider vectors of another length than the provider declares as DIMENSION_MISMATCH', async () => {
    const { sut, provider } = setup();
    provider.answer = (texts) => texts.map(() => [1, 2]);

    const error = await rejectionOf(sut.embed(['x']));

    expect(error.code).toBe(EmbeddingErrorCode.DIMENSION_MISMATCH);
    expect(error.message).toContain('2-dimensional');
  });

  it('answers an empty request without calling the cache or the provider', async () => {
    const { sut, provider, cache } = setup();

    expect(await sut.embed([])).toEqual({ model: 'fake-model', dimensions: 3, vectors: [] });
    expect(provider.calls).toHaveLength(0);
    expect(cache.reads).toBe(0);
  });

  it('keeps serving when a telemetry callback throws', async () => {
    const throwing: EmbeddingTelemetry = {
      cacheLookup: () => {
        throw new Error('metrics broke');
      },
      cacheError: () => undefined,
      coalesced: () => undefined,
      providerCall: () => {
        throw new Error('metrics broke');
      },
    };
    const { sut } = setup({ telemetry: throwing });

    await expect(sut.embed(['still fine'])).resolves.toMatchObject({ vectors: [vectorOf('still fine')] });
  });

  it('counts requests, texts, hits, misses and provider calls', async () => {
    const { sut } = setup();

    await sut.embed(['a', 'b']);
    await eventually(() => sut.inFlight === 0);
    await sut.embed(['a']);

    expect(sut.stats()).toEqual({
      requests: 2,
      texts: 3,
      cacheHits: 1,
      cacheMisses: 2,
      cacheErrors: 0,
      coalesced: 0,
      providerCalls: 1,
      providerTexts: 2,
      providerErrors: 0,
    });
  });
});
