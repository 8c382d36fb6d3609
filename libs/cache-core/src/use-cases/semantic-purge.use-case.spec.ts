import { type CacheStoreRequest, ErrorCode } from '@strata/contracts';
import { MemoryExactStore, MemoryPurgeGenerations, MemoryVectorIndex } from '@strata/store-memory';
import { type CacheEntry, entryTag } from '../domain/cache-entry';
import { fingerprintRequest } from '../keys/request-fingerprint';
import { NO_TELEMETRY } from '../ports/cache-telemetry.port';
import { type Embedder } from '../ports/embedder.port';
import { type SimilarEntry } from '../ports/vector-index.port';
import { PurgeUseCase } from './purge.use-case';
import { SemanticPurgeUseCase } from './semantic-purge.use-case';
import { StoreUseCase } from './store.use-case';

/** Cosines with the purge text "return policy" (the first axis): near ≥ 0.9, far ≤ 0.2. */
const VECTORS: Record<string, number[]> = {
  'return policy': [1, 0, 0],
  'how do i return shoes?': [0.95, 0.31, 0],
  'can i send my shoes back?': [0.9, 0, 0.43],
  'do you ship to canada?': [0.2, 0.98, 0],
  'what sizes do you carry?': [0, 0.1, 0.99],
};

/** Looks texts up in `VECTORS`; records what it was asked. */
class TableEmbedder implements Embedder {
  readonly asked: string[] = [];
  failing = false;

  embed(text: string): Promise<{ model: string; vector: number[] }> {
    this.asked.push(text);
    const vector = VECTORS[text];
    if (this.failing || !vector) return Promise.reject(new Error(`cannot embed ${JSON.stringify(text)}`));
    return Promise.resolve({ model: 'table-embed-3', vector });
  }
}

/** An L3 whose similarity search is down (as Qdrant can be). */
class UnsearchableIndex extends MemoryVectorIndex {
  override findSimilar(): Promise<SimilarEntry[]> {
    return Promise.reject(new Error('qdrant down'));
  }
}

function setup(options: { maxEntries?: number } = {}) {
  const l2 = new MemoryExactStore({ maxEntries: 1_000 });
  const l3 = new MemoryVectorIndex();
  const generations = new MemoryPurgeGenerations({ epochStart: () => 0 });
  const embedder = new TableEmbedder();
  const store = new StoreUseCase(l2, l3, embedder, generations, NO_TELEMETRY);
  const purge = new PurgeUseCase(l2, l3, generations, NO_TELEMETRY);
  const sut = new SemanticPurgeUseCase(l3, embedder, purge, NO_TELEMETRY, options);

  const storeRequest = (
    query: string,
    overrides: { tenant?: string; namespace?: string; system?: string; ticket?: number } = {},
  ): CacheStoreRequest => {
    const tenant = overrides.tenant ?? 'acme';
    const namespace = overrides.namespace ?? 'support';
    const fp = fingerprintRequest({
      tenant,
      namespace,
      namespaceVersion: 1,
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: overrides.system ?? 'You help shoppers.' },
        { role: 'user', content: query },
      ],
    });
    return {
      tenant,
      namespace,
      namespaceVersion: 1,
      model: 'gpt-4o-mini',
      ...fp,
      response: { answer: query },
      tags: ['doc:faq'],
      ttlSeconds: 600,
      storedAt: Date.now(),
      ...(overrides.ticket === undefined ? {} : { ticket: overrides.ticket }),
    };
  };
  const stored = async (query: string, overrides: Parameters<typeof storeRequest>[1] = {}): Promise<string> =>
    (await store.execute(storeRequest(query, overrides))).id;
  /** Ids of the given entries L2 still holds (for either tenant of these tests). */
  const inL2 = async (...ids: string[]): Promise<string[]> => {
    const held = await Promise.all(ids.map(async (id) => (await l2.get('acme', id)) ?? l2.get('globex', id)));
    return ids.filter((_, i) => held[i] !== undefined);
  };
  return { l2, l3, generations, embedder, store, sut, storeRequest, stored, inL2 };
}

describe(SemanticPurgeUseCase.name, () => {
  it('purges the entries within the radius from L3 and L2, in every context, and keeps the others', async () => {
    const { l3, sut, stored, inL2 } = setup();
    const near = await stored('how do i return shoes?');
    const nearOtherContext = await stored('can i send my shoes back?', { system: 'Answer briefly.' });
    const far = await stored('do you ship to canada?');

    const reply = await sut.execute({ tenant: 'acme', text: 'return policy', minSimilarity: 0.85 });

    expect(reply).toEqual({
      l2: 2,
      l3: 2,
      generation: 1,
      semantic: { entryIds: [near, nearOtherContext], truncated: false },
    });
    await expect(inL2(near, nearOtherContext, far)).resolves.toEqual([far]);
    await expect(l3.count()).resolves.toBe(1);
  });

  it('purges every copy backfilled from a selected entry, wherever it is', async () => {
    const { l2, sut, stored, inL2 } = setup();
    const near = await stored('how do i return shoes?');
    const original = await l2.get('acme', near);
    const copy: CacheEntry = {
      ...(original as CacheEntry),
      id: 'copy-1',
      exactKey: 'k'.repeat(64),
      aliasOf: near,
      namespace: 'sales',
    };
    await l2.put(copy);

    const reply = await sut.execute({
      tenant: 'acme',
      namespace: 'support',
      text: 'return policy',
      minSimilarity: 0.85,
    });

    expect(reply).toMatchObject({ l2: 2, l3: 1, semantic: { entryIds: [near] } });
    await expect(inL2(near, copy.id)).resolves.toEqual([]);
  });

  it("never purges another tenant's entries, however close their questions", async () => {
    const { sut, stored, inL2 } = setup();
    const mine = await stored('how do i return shoes?', { tenant: 'acme' });
    const theirs = await stored('how do i return shoes?', { tenant: 'globex' });

    const reply = await sut.execute({ tenant: 'acme', text: 'return policy', minSimilarity: 0.5 });

    expect(reply).toMatchObject({ l2: 1, l3: 1, semantic: { entryIds: [mine] } });
    await expect(inL2(mine, theirs)).resolves.toEqual([theirs]);
  });

  it('narrows the selection to the namespace when one is given', async () => {
    const { sut, stored, inL2 } = setup();
    const support = await stored('how do i return shoes?', { namespace: 'support' });
    const sales = await stored('how do i return shoes?', { namespace: 'sales' });

    await sut.execute({ tenant: 'acme', namespace: 'sales', text: 'return policy', minSimilarity: 0.85 });

    await expect(inL2(support, sales)).resolves.toEqual([support]);
  });

  it('makes a store of a selected entry computed before the purge stale, like any tag purge', async () => {
    const { store, sut, stored, storeRequest, generations } = setup();
    await stored('how do i return shoes?');
    const ticket = await generations.current('acme');

    await sut.execute({ tenant: 'acme', text: 'return policy', minSimilarity: 0.85 });

    await expect(store.execute(storeRequest('how do i return shoes?', { ticket }))).resolves.toMatchObject({
      stale: true,
      l2: false,
      l3: false,
    });
    await expect(store.execute(storeRequest('do you ship to canada?', { ticket }))).resolves.toMatchObject({
      l2: true,
      l3: true,
    });
  });

  it('with action invalidate, only advances the generations of the selected entries', async () => {
    const { sut, stored, inL2, generations } = setup();
    const near = await stored('how do i return shoes?');

    const reply = await sut.execute({ tenant: 'acme', text: 'return policy', minSimilarity: 0.85 }, 'invalidate');

    expect(reply).toEqual({ l2: 0, l3: 0, generation: 1, semantic: { entryIds: [near], truncated: false } });
    await expect(generations.latest('acme', [`t:${entryTag(near)}`])).resolves.toBe(1);
    await expect(inL2(near)).resolves.toEqual([near]);
  });

  it('purges nothing and advances no generation when no entry lies within the radius', async () => {
    const { sut, stored, inL2, generations } = setup();
    const far = await stored('what sizes do you carry?');

    const reply = await sut.execute({ tenant: 'acme', text: 'return policy', minSimilarity: 0.5 });

    expect(reply).toEqual({ l2: 0, l3: 0, semantic: { entryIds: [], truncated: false } });
    await expect(inL2(far)).resolves.toEqual([far]);
    await expect(generations.current('acme')).resolves.toBe(0);
  });

  it('selects at most maxEntries, the closest ones, and says it was truncated', async () => {
    const { sut, stored, inL2 } = setup({ maxEntries: 1 });
    const closest = await stored('how do i return shoes?');
    const next = await stored('can i send my shoes back?');

    const reply = await sut.execute({ tenant: 'acme', text: 'return policy', minSimilarity: 0.85 });

    expect(reply).toMatchObject({ l2: 1, l3: 1, semantic: { entryIds: [closest], truncated: true } });
    await expect(inL2(closest, next)).resolves.toEqual([next]);
  });

  it('embeds the text normalised like a lookup query', async () => {
    const { sut, embedder } = setup();

    await sut.execute({ tenant: 'acme', text: '  return \t policy \n', minSimilarity: 0.85 });

    expect(embedder.asked).toEqual(['return policy']);
  });

  it('fails with cache_unavailable, purging nothing, when the text cannot be embedded', async () => {
    const { sut, stored, inL2, embedder } = setup();
    const near = await stored('how do i return shoes?');
    embedder.failing = true;

    await expect(sut.execute({ tenant: 'acme', text: 'return policy', minSimilarity: 0.85 })).rejects.toMatchObject({
      code: ErrorCode.CacheUnavailable,
    });
    await expect(inL2(near)).resolves.toEqual([near]);
  });

  it('fails with cache_unavailable when L3 cannot be searched', async () => {
    const { embedder } = setup();
    const broken = new UnsearchableIndex();
    const purge = new PurgeUseCase(
      new MemoryExactStore({ maxEntries: 1 }),
      broken,
      new MemoryPurgeGenerations({ epochStart: () => 0 }),
      NO_TELEMETRY,
    );
    const sut = new SemanticPurgeUseCase(broken, embedder, purge, NO_TELEMETRY);

    await expect(sut.execute({ tenant: 'acme', text: 'return policy', minSimilarity: 0.85 })).rejects.toMatchObject({
      code: ErrorCode.CacheUnavailable,
    });
  });

  it('rejects a cap below one', () => {
    const { l3, embedder } = setup();
    const purge = new PurgeUseCase(
      new MemoryExactStore({ maxEntries: 1 }),
      l3,
      new MemoryPurgeGenerations({ epochStart: () => 0 }),
      NO_TELEMETRY,
    );

    expect(() => new SemanticPurgeUseCase(l3, embedder, purge, NO_TELEMETRY, { maxEntries: 0 })).toThrow(RangeError);
  });
});
