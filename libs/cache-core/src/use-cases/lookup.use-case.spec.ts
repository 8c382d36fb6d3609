import { type CacheLookupRequest, type CacheStoreRequest, ErrorCode, StrataError } from '@strata/contracts';
import { MemoryExactStore, MemoryPurgeGenerations, MemoryVectorIndex } from '@strata/store-memory';
import { fingerprintRequest } from '../keys/request-fingerprint';
import { type CacheTelemetry, NO_TELEMETRY } from '../ports/cache-telemetry.port';
import { type Embedder } from '../ports/embedder.port';
import { type ExactReads, sequentialExactReads } from '../ports/exact-reads.port';
import { type ExactStore } from '../ports/exact-store.port';
import { type MatchExplanation, type MatchVerifier } from '../ports/match-verifier.port';
import { type PurgeGenerations } from '../ports/purge-generations.port';
import { ContextsBeingWritten } from './contexts-being-written';
import { LookupUseCase, chooseSemanticHit } from './lookup.use-case';
import { StoreUseCase } from './store.use-case';

/** Every text embeds to the same vector: the verifier alone tells candidates apart. */
const embedder: Embedder = { embed: () => Promise.resolve({ model: 'm', vector: [1, 0, 0] }) };
/** Same text: 1; "…dog…" vs "…cat…": vetoed; anything else: 0.97 with its evidence. */
const verifier: MatchVerifier = {
  verify: (q, c, cosine, threshold) =>
    verifier.explain?.(q, c, cosine, threshold) ?? { accepted: false, similarity: 0, reason: 'empty' },
  explain: (q, c, _cosine, threshold): MatchExplanation => {
    if (q === c) return { accepted: true, similarity: 1, reason: 'match' };
    if (q.includes('dog') !== c.includes('dog'))
      return { accepted: false, similarity: 0, reason: 'antonym', detail: 'dog/cat' };
    return {
      accepted: 0.97 >= threshold,
      similarity: 0.97,
      reason: 'match',
      features: { cosine: 1, softCoverage: 0.9 },
    };
  },
};

function setup(
  options: {
    lookupEmbedder?: Embedder;
    telemetry?: CacheTelemetry;
    /** The lookup's L2 reads over the store and the generations (default: the use case's own). */
    reads?: (l2: ExactStore, generations: PurgeGenerations) => ExactReads;
    /** The lookup's own `current` calls fail (the reads, given, call the generations themselves). */
    currentFails?: boolean;
    /** The store's embedder (default: the lookup's shared one). */
    storeEmbedder?: Embedder;
  } = {},
) {
  const l2 = new MemoryExactStore({ maxEntries: 100 });
  const l3 = new MemoryVectorIndex({});
  const generations = new MemoryPurgeGenerations({ epochStart: () => 0 });
  const lookupEmbedder = options.lookupEmbedder ?? embedder;
  const telemetry = options.telemetry ?? NO_TELEMETRY;
  /** The lookup's own calls of `latest` and `current` (the reads, given, call the generations themselves). */
  const latestCalls: string[][] = [];
  const currentCalls: string[] = [];
  const lookupGenerations: PurgeGenerations = {
    current: (tenant) => {
      currentCalls.push(tenant);
      return options.currentFails ? Promise.reject(new Error('generations unreachable')) : generations.current(tenant);
    },
    advance: (tenant, fields) => generations.advance(tenant, fields),
    latest: (tenant, fields) => {
      latestCalls.push([...fields]);
      return generations.latest(tenant, fields);
    },
  };
  const writing = new ContextsBeingWritten();
  const lookup = new LookupUseCase(
    l2,
    l3,
    lookupEmbedder,
    verifier,
    lookupGenerations,
    telemetry,
    { candidates: 5, minCosine: 0, defaultThreshold: 0.9, now: Date.now, writing },
    undefined,
    options.reads?.(l2, generations),
  );
  const store = new StoreUseCase(l2, l3, options.storeEmbedder ?? embedder, generations, NO_TELEMETRY, { writing });
  const fp = (text: string) =>
    fingerprintRequest({
      tenant: 'acme',
      namespace: 'default',
      namespaceVersion: 1,
      model: 'm',
      messages: [{ role: 'user', content: text }],
    });
  const put = (text: string, fingerprint: ReturnType<typeof fp> = fp(text)) =>
    store.execute({
      tenant: 'acme',
      namespace: 'default',
      namespaceVersion: 1,
      model: 'm',
      ...fingerprint,
      response: { text },
      tags: [],
      ttlSeconds: 60,
      storedAt: Date.now(),
    } satisfies CacheStoreRequest);
  const get = (
    text: string,
    explain?: boolean,
    extra: Partial<Pick<CacheLookupRequest, 'mode' | 'threshold' | 'namespaceThreshold' | 'budgetMs'>> = {},
  ) =>
    lookup.execute({
      tenant: 'acme',
      namespace: 'default',
      model: 'm',
      ...fp(text),
      mode: 'semantic',
      ...(explain ? { explain } : {}),
      ...extra,
    });
  return { put, get, l2, generations, latestCalls, currentCalls, lookup };
}

describe(LookupUseCase.name, () => {
  it('explains a semantic lookup: each candidate with its cosine, verdict, veto detail or evidence, and the one served', async () => {
    const { put, get } = setup();
    await put('how do I feed my cat');
    const reply = await get('how do I feed my dog', true);
    expect(reply.hit).toBe(false);
    expect(reply.explain).toEqual({
      threshold: 0.9,
      margin: 0.01,
      candidates: [
        expect.objectContaining({
          query: 'how do I feed my cat',
          cosine: 1,
          accepted: false,
          reason: 'antonym',
          detail: 'dog/cat',
        }),
      ],
    });
  });

  it("remembers a semantic hit as exact only at or above its namespace's threshold, not a looser request's", async () => {
    const { put, get } = setup();
    await put('how do I feed my cat');

    // 0.97 passes the request's own 0.9 but not its namespace's 0.99: served, not remembered.
    const loosened = await get('how should I feed my cat', false, { threshold: 0.9, namespaceThreshold: 0.99 });
    expect(loosened).toMatchObject({ hit: true, tier: 'l3', backfilled: false });
    // A later request of the namespace (the gateway sends its threshold as both) gets no hit: none from L2 either.
    const strict = { mode: 'auto', threshold: 0.99, namespaceThreshold: 0.99 } as const;
    expect(await get('how should I feed my cat', false, strict)).toMatchObject({ hit: false });

    // In a namespace whose own threshold 0.97 passes, the same hit is remembered and served from L2 afterwards.
    const own = await get('how can I feed my cat', false, { threshold: 0.9, namespaceThreshold: 0.95 });
    expect(own).toMatchObject({ hit: true, tier: 'l3', backfilled: true });
    expect(
      await get('how can I feed my cat', false, { mode: 'auto', threshold: 0.99, namespaceThreshold: 0.95 }),
    ).toMatchObject({
      hit: true,
      tier: 'l2',
    });
  });

  it("gives the embedding what is left of the lookup's budget, and answers a miss with its ticket at once when the embedding service is too far behind (said and counted as busy)", async () => {
    const budgets: (number | undefined)[] = [];
    const errors: string[] = [];
    const busy: Embedder = {
      embed: (_text, options) => {
        budgets.push(options?.budgetMs);
        return options?.budgetMs === undefined
          ? embedder.embed(_text)
          : Promise.reject(new StrataError(ErrorCode.RateLimited, 'embedding failed: ~120 ms behind'));
      },
    };
    const { put, get } = setup({
      lookupEmbedder: busy,
      telemetry: { ...NO_TELEMETRY, tierError: (tier, operation) => errors.push(`${tier} ${operation}`) },
    });
    await put('how do I feed my cat');

    const refused = await get('how do I feed my cat', false, { budgetMs: 50 });
    const unbudgeted = await get('how do I feed my cat');

    expect(refused).toEqual({ hit: false, ticket: expect.any(Number), semantic: 'busy' });
    expect(budgets[0]).toBeGreaterThan(0);
    expect(budgets[0]).toBeLessThanOrEqual(50);
    expect(errors).toEqual(['embedding busy']);
    expect(unbudgeted.hit).toBe(true);
    expect(budgets[1]).toBeUndefined();
  });

  describe('a context L3 holds nothing of', () => {
    /** Counts its embeddings; knows its model once it has embedded one (as the cache service's embedder does). */
    function countingEmbedder(): Embedder & { texts: string[] } {
      const texts: string[] = [];
      let model: string | undefined;
      return {
        texts,
        embed: async (text) => {
          texts.push(text);
          const embedding = await embedder.embed(text);
          model = embedding.model;
          return embedding;
        },
        recentModel: () => model,
      };
    }
    /** The same question after an earlier turn: a context of its own, which no stored entry shares. */
    const laterTurn = (text: string) =>
      fingerprintRequest({
        tenant: 'acme',
        namespace: 'default',
        namespaceVersion: 1,
        model: 'm',
        messages: [
          { role: 'user', content: 'my order 1234 never arrived' },
          { role: 'assistant', content: 'Sorry to hear that! Let me check.' },
          { role: 'user', content: text },
        ],
      });

    it('answers a miss without embedding the query or searching, counted as empty', async () => {
      const lookups: string[] = [];
      const counting = countingEmbedder();
      const { put, get, lookup } = setup({
        lookupEmbedder: counting,
        telemetry: { ...NO_TELEMETRY, lookup: (tier, outcome) => lookups.push(`${tier} ${outcome}`) },
      });
      await put('how do I feed my cat');
      expect((await get('how do I feed my cat')).hit).toBe(true); // embeds: the embedder now knows its model
      lookups.length = 0;

      const reply = await lookup.execute({
        tenant: 'acme',
        namespace: 'default',
        model: 'm',
        ...laterTurn('how do I feed my cat'),
        mode: 'auto',
        explain: true,
      });

      expect(reply).toEqual({
        hit: false,
        ticket: expect.any(Number),
        explain: { threshold: 0.9, margin: 0.01, candidates: [] },
      });
      expect(counting.texts).toEqual(['how do I feed my cat']);
      expect(lookups).toEqual(['l2 miss', 'l3 empty']);
    });

    it('embeds and searches a context found empty before: a paraphrase finds the answer that lands meanwhile', async () => {
      const lookups: string[] = [];
      const counting = countingEmbedder();
      let release: (() => void) | undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let gated = false;
      const { put, lookup } = setup({
        lookupEmbedder: {
          embed: async (text, options) => {
            if (gated) await gate; // the encoder is busy with what came before
            return counting.embed(text, options);
          },
          recentModel: () => counting.recentModel?.(),
        },
        telemetry: { ...NO_TELEMETRY, lookup: (tier, outcome) => lookups.push(`${tier} ${outcome}`) },
      });
      await counting.embed('warm-up'); // the embedder knows its model
      const ask = (text: string) =>
        lookup.execute({ tenant: 'acme', namespace: 'default', model: 'm', ...laterTurn(text), mode: 'semantic' });

      expect((await ask('how do I return an item?')).hit).toBe(false); // the first lookup of the context: empty
      // A paraphrase asked while the first answer is still on its way (its upstream call): nothing is in L3 or being
      // written yet. It embeds, as it would have before, and the answer lands before its search.
      gated = true;
      const paraphrase = ask('how can I return an item?');
      await put('how do I return an item?', laterTurn('how do I return an item?'));
      release?.();

      expect((await paraphrase).hit).toBe(true);
      expect(lookups).toEqual(['l3 empty', 'l3 hit']);
    });

    it("waits for the context's write in flight before it searches, when its own vector comes back first", async () => {
      const lookups: string[] = [];
      const counting = countingEmbedder();
      let release: (() => void) | undefined;
      // One encoder batch: the paraphrase's vector comes back, the store's moments after (and then its upsert).
      const batch = new Promise<void>((resolve) => (release = resolve));
      const later = batch.then(() => new Promise((resolve) => setTimeout(resolve, 20)));
      const { put, lookup } = setup({
        lookupEmbedder: {
          embed: async (text, options) => {
            if (text !== 'warm-up' && !text.startsWith('how do I')) await batch;
            return counting.embed(text, options);
          },
          recentModel: () => counting.recentModel?.(),
        },
        storeEmbedder: { embed: async (text) => later.then(() => embedder.embed(text)) },
        telemetry: { ...NO_TELEMETRY, lookup: (tier, outcome) => lookups.push(`${tier} ${outcome}`) },
      });
      await counting.embed('warm-up');
      const ask = (text: string) =>
        lookup.execute({ tenant: 'acme', namespace: 'default', model: 'm', ...laterTurn(text), mode: 'semantic' });

      expect((await ask('how do I return an item?')).hit).toBe(false); // empty
      const stored = put('how do I return an item?', laterTurn('how do I return an item?'));
      await new Promise((resolve) => setImmediate(resolve)); // the store's write is in flight
      const paraphrase = ask('how can I return an item?');
      release?.();
      await stored;

      expect((await paraphrase).hit).toBe(true);
      expect(lookups).toEqual(['l3 empty', 'l3 hit']);
    });

    it('searches a context with a write in flight rather than taking it as empty', async () => {
      const lookups: string[] = [];
      const counting = countingEmbedder();
      let release: (() => void) | undefined;
      const slow = new Promise<void>((resolve) => (release = resolve));
      const { put, lookup } = setup({
        lookupEmbedder: counting,
        storeEmbedder: { embed: async (text) => slow.then(() => embedder.embed(text)) },
        telemetry: { ...NO_TELEMETRY, lookup: (tier, outcome) => lookups.push(`${tier} ${outcome}`) },
      });
      await counting.embed('warm-up');
      const stored = put('where is my parcel?', laterTurn('where is my parcel?'));
      await new Promise((resolve) => setImmediate(resolve)); // the store's embedding is running
      await lookup.execute({
        tenant: 'acme',
        namespace: 'default',
        model: 'm',
        ...laterTurn('where is my package?'),
        mode: 'semantic',
      });
      release?.();
      await stored;
      expect(counting.texts).toEqual(['warm-up', 'where is my package?']);
      expect(lookups).toEqual(['l3 miss']);
    });

    it('embeds and searches as before when the embedder cannot tell its model yet, or when asking L3 fails', async () => {
      const errors: string[] = [];
      const counting = countingEmbedder();
      const { lookup } = setup({
        lookupEmbedder: counting,
        telemetry: { ...NO_TELEMETRY, tierError: (tier, operation) => errors.push(`${tier} ${operation}`) },
      });
      const ask = () =>
        lookup.execute({ tenant: 'acme', namespace: 'default', model: 'm', ...laterTurn('hello?'), mode: 'semantic' });

      await ask(); // no embedding yet: no model to ask L3 about
      expect(counting.texts).toHaveLength(1);
      await ask(); // the model is known, the context holds nothing: not embedded
      expect(counting.texts).toHaveLength(1);

      const failing = setup({
        lookupEmbedder: { ...counting, recentModel: () => 'm' },
        telemetry: { ...NO_TELEMETRY, tierError: (tier, operation) => errors.push(`${tier} ${operation}`) },
      });
      const l3 = (failing.lookup as unknown as { l3: { holds: unknown } }).l3;
      l3.holds = () => Promise.reject(new Error('L3 unreachable'));
      await failing.lookup.execute({
        tenant: 'acme',
        namespace: 'default',
        model: 'm',
        ...laterTurn('hello?'),
        mode: 'semantic',
      });
      expect(counting.texts).toHaveLength(2);
      expect(errors).toEqual(['l3 holds']);
    });
  });

  it('does not explain unless asked', async () => {
    const { put, get } = setup();
    await put('how do I feed my cat');
    expect((await get('how do I feed my cat?')).explain).toBeUndefined();
  });

  it('refuses to choose between two accepted candidates that are equally close, and says so', async () => {
    const { put, get } = setup();
    await put('how do I feed my cat');
    await put('how should I feed my cat');
    const reply = await get('how can I feed my cat', true);
    expect(reply.hit).toBe(false);
    expect(reply.explain?.candidates.map((c) => [c.accepted, c.evidence])).toEqual([
      [true, { cosine: 1, softCoverage: 0.9 }],
      [true, { cosine: 1, softCoverage: 0.9 }],
    ]);
    expect(reply.explain?.chosen).toBeUndefined();
  });

  it('serves a candidate with the same words whatever the margin, and names it', async () => {
    const { put, get } = setup();
    await put('how do I feed my cat');
    await put('how should I feed my cat');
    const reply = await get('how do I feed my cat', true);
    expect(reply).toMatchObject({ hit: true, tier: 'l3', similarity: 1 });
    expect(reply.hit && reply.explain?.chosen).toBe(reply.hit ? reply.entry.id : 'no hit');
  });
});

describe(`${LookupUseCase.name}: L2 through its reads`, () => {
  /**
   * Sequential reads that count their calls, or answer a chosen `latest` (a purge the lookup cannot see otherwise) or a
   * chosen ticket (one the lookup cannot have from anywhere else).
   */
  function countedReads(calls: string[], chosen: { latest?: number; ticket?: number } = {}) {
    return (l2: ExactStore, generations: PurgeGenerations): ExactReads => {
      const inner = sequentialExactReads(l2, generations);
      return {
        getWithGenerations: async (tenant, id) => {
          calls.push(id);
          const { ticket, found } = await inner.getWithGenerations(tenant, id);
          const { latest } = chosen;
          return {
            ticket: chosen.ticket ?? ticket,
            found: found && latest !== undefined ? { ...found, latest } : found,
          };
        },
      };
    };
  }

  it('serves an exact hit from one read of the entry with its purge generations, asking the generations nothing more', async () => {
    const calls: string[] = [];
    const { put, get, latestCalls, currentCalls } = setup({ reads: countedReads(calls) });
    const stored = await put('how do I feed my cat');
    const storedId = 'id' in stored ? stored.id : undefined;

    expect(await get('how do I feed my cat', false, { mode: 'exact' })).toMatchObject({
      hit: true,
      tier: 'l2',
      entry: { id: storedId },
    });
    expect(calls).toEqual([storedId]);
    expect(latestCalls).toEqual([]);
    expect(currentCalls).toEqual([]);
  });

  it('answers an exact miss with the ticket its read brought, asking the generations for no other', async () => {
    const calls: string[] = [];
    const { get, currentCalls } = setup({ reads: countedReads(calls, { ticket: 42 }) });

    expect(await get('how do I feed my cat', false, { mode: 'exact' })).toEqual({ hit: false, ticket: 42 });
    expect(calls).toHaveLength(1);
    expect(currentCalls).toEqual([]);
  });

  it("answers an L2 and L3 miss with the L2 read's ticket (taken before the semantic search)", async () => {
    const calls: string[] = [];
    const { get, currentCalls } = setup({ reads: countedReads(calls, { ticket: 42 }) });

    expect(await get('how do I feed my cat', false, { mode: 'auto' })).toEqual({ hit: false, ticket: 42 });
    expect(calls).toHaveLength(1);
    expect(currentCalls).toEqual([]);
  });

  it('takes the ticket with current() when the lookup reads no L2 (semantic mode)', async () => {
    const calls: string[] = [];
    const { get, generations, currentCalls } = setup({ reads: countedReads(calls, { ticket: 42 }) });

    expect(await get('how do I feed my cat')).toEqual({ hit: false, ticket: await generations.current('acme') });
    expect(calls).toEqual([]);
    expect(currentCalls).toEqual(['acme']);
  });

  it('answers each exact miss with the ticket of its moment: a purge between two lookups advances it', async () => {
    const { get, generations } = setup();
    const first = await get('how do I feed my cat', false, { mode: 'exact' });
    const purged = await generations.advance('acme', ['t:anything']);
    const second = await get('how do I feed my cat', false, { mode: 'exact' });

    expect(first).toEqual({ hit: false, ticket: purged - 1 });
    expect(second).toEqual({ hit: false, ticket: purged });
  });

  it('misses, and removes the entry, when its read says a purge came after it', async () => {
    const calls: string[] = [];
    const { put, get, l2, generations } = setup({ reads: countedReads(calls, { latest: Number.MAX_SAFE_INTEGER }) });
    const stored = await put('how do I feed my cat');
    if (!('id' in stored)) throw new Error('stored');

    expect(await get('how do I feed my cat', false, { mode: 'exact' })).toEqual({
      hit: false,
      ticket: await generations.current('acme'),
    });
    expect(calls).toEqual([stored.id]);
    // The clean-up runs in the background; in memory it settles within one turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    expect(await l2.get('acme', stored.id)).toBeUndefined();
  });

  it('answers a miss with a ticket from current() when the read fails, counted as an L2 read error', async () => {
    const errors: string[] = [];
    const { put, get, generations, currentCalls } = setup({
      reads: () => ({ getWithGenerations: () => Promise.reject(new Error('Redis is unreachable')) }),
      telemetry: { ...NO_TELEMETRY, tierError: (tier, operation) => errors.push(`${tier} ${operation}`) },
    });
    await put('how do I feed my cat');

    expect(await get('how do I feed my cat', false, { mode: 'exact' })).toEqual({
      hit: false,
      ticket: await generations.current('acme'),
    });
    expect(errors).toEqual(['l2 get']);
    expect(currentCalls).toEqual(['acme']);
  });

  it('answers a miss without a ticket when the read and current() both fail, each counted', async () => {
    const errors: string[] = [];
    const { put, get } = setup({
      reads: () => ({ getWithGenerations: () => Promise.reject(new Error('Redis is unreachable')) }),
      currentFails: true,
      telemetry: { ...NO_TELEMETRY, tierError: (tier, operation) => errors.push(`${tier} ${operation}`) },
    });
    await put('how do I feed my cat');

    expect(await get('how do I feed my cat', false, { mode: 'exact' })).toEqual({ hit: false });
    expect(errors).toEqual(['l2 get', 'generations current']);
  });
});

describe(chooseSemanticHit.name, () => {
  const c = (cosine: number, similarity: number) => ({ cosine, similarity });
  it('serves the most similar candidate at or above the threshold', () => {
    const best = c(0.95, 0.98);
    expect(chooseSemanticHit([c(0.9, 0.96), best, c(0.8, 0)], 0.95, 0)).toBe(best);
  });
  it('serves nothing below the threshold', () => {
    expect(chooseSemanticHit([c(0.99, 0.9)], 0.95, 0.01)).toBeUndefined();
  });
  it('serves nothing when another candidate is within the margin of its cosine', () => {
    expect(chooseSemanticHit([c(0.95, 0.97), c(0.945, 0)], 0.95, 0.01)).toBeUndefined();
    expect(chooseSemanticHit([c(0.95, 0.97), c(0.93, 0)], 0.95, 0.01)).toEqual(c(0.95, 0.97));
  });
  it('serves the same words (similarity 1) even next to a close candidate', () => {
    expect(chooseSemanticHit([c(0.95, 1), c(0.95, 0.97)], 0.95, 0.01)).toEqual(c(0.95, 1));
  });
});
