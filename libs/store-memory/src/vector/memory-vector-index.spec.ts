import { type CacheEntry, entryTag } from '@strata/cache-core';
import { describeVectorIndexContract } from '@strata/testing';
import { MemoryVectorIndex } from './memory-vector-index';

function manualClock(start = Date.now()): { now: () => number; advance: (ms: number) => void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

describeVectorIndexContract(MemoryVectorIndex.name, () => {
  const clock = manualClock();
  const index = new MemoryVectorIndex({ now: clock.now });
  return Promise.resolve({ index, clock, teardown: () => Promise.resolve() });
});

describe(MemoryVectorIndex.name, () => {
  const MODEL = 'm';
  const clock = manualClock();

  function anEntry(id: string, overrides: Partial<CacheEntry> = {}): CacheEntry {
    return {
      id,
      tenant: 'acme',
      namespace: 'support',
      namespaceVersion: 1,
      model: 'gpt',
      exactKey: id,
      contextHash: 'c',
      query: 'q',
      response: id,
      tags: [entryTag(id), 'shared'],
      createdAt: clock.now(),
      expiresAt: clock.now() + 60_000,
      ...overrides,
    };
  }

  const search = (index: MemoryVectorIndex, contextHash = 'c') =>
    index.search({
      vector: [1, 0],
      tenant: 'acme',
      contextHash,
      model: MODEL,
      limit: 10,
      minScore: -1,
      now: clock.now(),
    });

  it('evicts the oldest-written entry when full, counts the eviction, and treats a re-upsert as a new write', async () => {
    const index = new MemoryVectorIndex({ maxEntries: 2, now: clock.now });
    await index.upsert(MODEL, anEntry('a'), [1, 0]);
    await index.upsert(MODEL, anEntry('b'), [1, 0]);
    await index.upsert(MODEL, anEntry('a'), [1, 0]);
    await index.upsert(MODEL, anEntry('c'), [1, 0]);

    const ids = (await search(index)).map((hit) => hit.entry.id).sort();

    expect(ids).toEqual(['a', 'c']);
    expect(index.evictions).toBe(1);
    expect(index.size).toBe(2);
  });

  it('removes expired entries of a context when a search scans it', async () => {
    const index = new MemoryVectorIndex({ now: clock.now });
    await index.upsert(MODEL, anEntry('short', { expiresAt: clock.now() + 1_000 }), [1, 0]);
    await index.upsert(MODEL, anEntry('long'), [1, 0]);
    await index.upsert(MODEL, anEntry('elsewhere', { contextHash: 'other', expiresAt: clock.now() + 1_000 }), [1, 0]);
    clock.advance(1_000);

    const hits = await search(index);

    expect(hits.map((hit) => hit.entry.id)).toEqual(['long']);
    expect(index.size).toBe(2);
    expect(index.sweepExpired()).toBe(1);
    expect(index.size).toBe(1);
  });

  it('leaves no tag or namespace groups behind once entries are purged, expired or evicted', async () => {
    const index = new MemoryVectorIndex({ maxEntries: 3, now: clock.now });
    for (const id of ['a', 'b', 'c', 'd']) await index.upsert(MODEL, anEntry(id), [1, 0]);
    await index.upsert(MODEL, anEntry('e', { contextHash: 'x', expiresAt: clock.now() + 10 }), [0, 1]);
    await index.purge({ tenant: 'acme', tags: ['shared'] });
    clock.advance(10);
    index.sweepExpired();

    expect(index.size).toBe(0);
    expect(index.indexGroups).toBe(0);
  });

  it('keeps finding every entry while a context grows and shrinks across many entries', async () => {
    const index = new MemoryVectorIndex({ now: clock.now });
    const angles = Array.from({ length: 300 }, (_, i) => (i / 300) * Math.PI);
    for (const [i, angle] of angles.entries()) {
      await index.upsert(MODEL, anEntry(`e${i}`, { tags: [i % 3 === 0 ? 'drop' : 'keep'] }), [
        Math.cos(angle),
        Math.sin(angle),
      ]);
    }
    await index.purge({ tenant: 'acme', tags: ['drop'] });

    for (const [i, angle] of angles.entries()) {
      const [best] = await index.search({
        vector: [Math.cos(angle), Math.sin(angle)],
        tenant: 'acme',
        contextHash: 'c',
        model: MODEL,
        limit: 1,
        minScore: 0.999999,
        now: clock.now(),
      });
      expect(best?.entry.id).toBe(i % 3 === 0 ? undefined : `e${i}`);
    }
    await expect(index.count()).resolves.toBe(200);
  });

  it('rejects vectors with non-finite components and empty vectors', async () => {
    const index = new MemoryVectorIndex({ now: clock.now });

    await expect(index.upsert(MODEL, anEntry('a'), [1, Number.NaN])).rejects.toThrow(RangeError);
    await expect(index.upsert(MODEL, anEntry('a'), [])).rejects.toThrow(RangeError);
    await index.upsert(MODEL, anEntry('a'), [1, 0]);
    await expect(
      index.search({
        vector: [Infinity, 0],
        tenant: 'acme',
        contextHash: 'c',
        model: MODEL,
        limit: 1,
        minScore: 0,
        now: 0,
      }),
    ).rejects.toThrow(RangeError);
  });

  it('scores a zero vector 0 against everything instead of NaN', async () => {
    const index = new MemoryVectorIndex({ now: clock.now });
    await index.upsert(MODEL, anEntry('zero'), [0, 0]);

    const hits = await search(index);

    expect(hits.map((hit) => hit.score)).toEqual([0]);
  });

  it('returns nothing for a limit below 1', async () => {
    const index = new MemoryVectorIndex({ now: clock.now });
    await index.upsert(MODEL, anEntry('a'), [1, 0]);

    await expect(
      index.search({ vector: [1, 0], tenant: 'acme', contextHash: 'c', model: MODEL, limit: 0, minScore: -1, now: 0 }),
    ).resolves.toEqual([]);
  });

  it('refuses a maxEntries below 1', () => {
    expect(() => new MemoryVectorIndex({ maxEntries: 0 })).toThrow(RangeError);
  });
});
