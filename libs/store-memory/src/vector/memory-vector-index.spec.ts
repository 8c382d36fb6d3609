import { type CacheEntry, type VectorIndex, entryTag } from '@strata/cache-core';
import { describeVectorIndexContract, eventually } from '@strata/testing';
import { MemoryVectorIndex, defaultAnnMinEntries } from './memory-vector-index';

function manualClock(start = Date.now()): { now: () => number; advance: (ms: number) => void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

describeVectorIndexContract(MemoryVectorIndex.name, () => {
  const clock = manualClock();
  const index = new MemoryVectorIndex({ now: clock.now });
  return Promise.resolve({ index, clock, teardown: () => Promise.resolve() });
});

/**
 * Every context of two entries or more is a graph, each entry linked as soon as it is written (and with `renumber`, the
 * graphs renumbered after every write, so that every operation meets nodes moved since the last).
 */
function linkedOnWrite(index: MemoryVectorIndex, renumber = false): VectorIndex {
  return {
    upsert: async (model, entry, vector) => {
      await index.upsert(model, entry, vector);
      index.linkPending();
      if (renumber) index.reorderGraphs();
    },
    search: (query) => index.search(query),
    holds: (model, tenant, contextHash) => index.holds(model, tenant, contextHash),
    findSimilar: (query) => index.findSimilar(query),
    purge: (selector) => index.purge(selector),
    count: () => index.count(),
    ping: () => index.ping(),
  };
}

describeVectorIndexContract(`${MemoryVectorIndex.name} (HNSW graphs from 2 entries, linked on write)`, () => {
  const clock = manualClock();
  const index = linkedOnWrite(new MemoryVectorIndex({ now: clock.now, annMinEntries: 2 }));
  return Promise.resolve({ index, clock, teardown: () => Promise.resolve() });
});

describeVectorIndexContract(
  `${MemoryVectorIndex.name} (HNSW graphs from 2 entries, renumbered after every write)`,
  () => {
    const clock = manualClock();
    const index = linkedOnWrite(new MemoryVectorIndex({ now: clock.now, annMinEntries: 2 }), true);
    return Promise.resolve({ index, clock, teardown: () => Promise.resolve() });
  },
);

describeVectorIndexContract(`${MemoryVectorIndex.name} (HNSW graphs from 2 entries, not yet linked)`, () => {
  const clock = manualClock();
  const index = new MemoryVectorIndex({ now: clock.now, annMinEntries: 2 });
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

  it('reports each eviction for space to onEvict, not replacements or purges', async () => {
    let reported = 0;
    const index = new MemoryVectorIndex({ maxEntries: 2, now: clock.now, onEvict: () => reported++ });
    for (const id of ['a', 'b', 'b', 'c', 'd']) await index.upsert(MODEL, anEntry(id), [1, 0]);
    await index.purge({ tenant: 'acme', namespace: 'support' });
    expect(reported).toBe(2);
    expect(reported).toBe(index.evictions);
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

  it('refuses a maxEntries below 1 and an annMinEntries below 2', () => {
    expect(() => new MemoryVectorIndex({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new MemoryVectorIndex({ annMinEntries: 1 })).toThrow(RangeError);
  });

  describe('large contexts', () => {
    /** Unit vectors around `topics` random directions in 16 dimensions (deterministic). */
    function clustered(count: number, topics: number, seed: number): number[][] {
      // mulberry32: a full-period generator (an LCG in doubles loses precision and cycles early).
      let state = seed;
      const uniform = (): number => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), state | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return (((t ^ (t >>> 14)) >>> 0) + 1) / 4_294_967_297;
      };
      const gaussian = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      const centroids = Array.from({ length: topics }, () => Array.from({ length: 16 }, gaussian));
      return Array.from({ length: count }, () =>
        centroids[Math.floor(uniform() * topics)].map((x) => x + 0.4 * gaussian()),
      );
    }

    const searchIn = (index: MemoryVectorIndex, vector: number[], contextHash = 'c', tenant = 'acme') =>
      index.search({ vector, tenant, contextHash, model: MODEL, limit: 5, minScore: -1, now: clock.now() });

    it('by default moves a context of wide vectors (over 128-d) to a graph from 1,024 entries, narrow ones from 4,096', async () => {
      expect([defaultAnnMinEntries(100), defaultAnnMinEntries(128), defaultAnnMinEntries(512)]).toEqual([
        4096, 4096, 1024,
      ]);
      const wide = new MemoryVectorIndex({ now: clock.now });
      const narrow = new MemoryVectorIndex({ now: clock.now });
      const unit = (dimension: number, i: number) =>
        Array.from({ length: dimension }, (_, d) => Math.sin((i + 1) * (d + 1)));
      for (let i = 0; i < 1_024; i++) {
        await wide.upsert(MODEL, anEntry(`w${i}`), unit(512, i));
        await narrow.upsert(MODEL, anEntry(`n${i}`), unit(100, i));
        expect(wide.graphContexts).toBe(i < 1_023 ? 0 : 1);
      }
      expect(narrow.graphContexts).toBe(0);
      wide.linkPending();
      await expect(searchIn(wide, unit(512, 700)).then((hits) => hits[0]?.entry.id)).resolves.toBe('w700');
    });

    it('moves a context to a graph at annMinEntries and back to a scan at a quarter of it, finding every entry', async () => {
      const index = new MemoryVectorIndex({ now: clock.now, annMinEntries: 64 });
      const vectors = clustered(64, 4, 1);
      for (const [i, vector] of vectors.entries()) {
        await index.upsert(MODEL, anEntry(`e${i}`, { tags: [i < 48 ? 'drop' : 'keep'] }), vector);
        expect(index.graphContexts).toBe(i < 63 ? 0 : 1);
      }
      index.linkPending();
      for (const [i, vector] of vectors.entries()) {
        await expect(searchIn(index, vector).then((hits) => hits[0]?.entry.id)).resolves.toBe(`e${i}`);
      }

      // 64 rows of 16 floats and 64 rows of 16 int8 codes, plus the query rows, each in whole 64 KiB pages.
      expect(index.graphVectorBytes).toBe(2 * 65_536);
      await expect(index.purge({ tenant: 'acme', tags: ['drop'] })).resolves.toBe(48);

      expect(index.graphContexts).toBe(0);
      expect(index.graphVectorBytes).toBe(0);
      for (const [i, vector] of vectors.entries()) {
        const best = (await searchIn(index, vector))[0]?.entry.id;
        expect(best === `e${i}`).toBe(i >= 48);
      }
    });

    it('links new entries of a graph in the background, finding them meanwhile', async () => {
      const index = new MemoryVectorIndex({ now: clock.now, annMinEntries: 32 });
      const vectors = clustered(200, 4, 2);
      for (const [i, vector] of vectors.entries()) await index.upsert(MODEL, anEntry(`e${i}`), vector);

      expect(index.pendingLinks).toBeGreaterThan(0);
      await expect(searchIn(index, vectors[199]).then((hits) => hits[0]?.entry.id)).resolves.toBe('e199');
      await eventually(() => expect(index.pendingLinks).toBe(0));
      await expect(searchIn(index, vectors[199]).then((hits) => hits[0]?.entry.id)).resolves.toBe('e199');
    });

    it('keeps tenants and contexts apart in graphs, even for identical vectors', async () => {
      const index = new MemoryVectorIndex({ now: clock.now, annMinEntries: 16 });
      const vectors = clustered(40, 2, 3);
      for (const [i, vector] of vectors.entries()) {
        await index.upsert(MODEL, anEntry(`mine${i}`), vector);
        await index.upsert(MODEL, anEntry(`theirs${i}`, { tenant: 'globex' }), vector);
        await index.upsert(MODEL, anEntry(`elsewhere${i}`, { contextHash: 'other' }), vector);
      }
      index.linkPending();

      expect(index.graphContexts).toBe(3);
      for (const vector of vectors) {
        const ids = (await searchIn(index, vector)).map((hit) => hit.entry.id);
        expect(ids).toHaveLength(5);
        expect(ids.every((id) => id.startsWith('mine'))).toBe(true);
        const theirs = (await searchIn(index, vector, 'c', 'globex')).map((hit) => hit.entry.id);
        expect(theirs.every((id) => id.startsWith('theirs'))).toBe(true);
      }
    });

    it('finds at least 95% of the exact top 5 in a context of 5,000 entries', async () => {
      const approximate = new MemoryVectorIndex({ now: clock.now, annMinEntries: 256 });
      const exact = new MemoryVectorIndex({ now: clock.now, annMinEntries: Infinity });
      for (const [i, vector] of clustered(5_000, 50, 4).entries()) {
        const entry = anEntry(`e${i}`);
        await approximate.upsert(MODEL, entry, vector);
        await exact.upsert(MODEL, entry, vector);
      }
      approximate.linkPending();

      let found = 0;
      const queries = clustered(100, 50, 5);
      for (const query of queries) {
        const expected = (await searchIn(exact, query)).map((hit) => hit.entry.id);
        const got = new Set((await searchIn(approximate, query)).map((hit) => hit.entry.id));
        found += expected.filter((id) => got.has(id)).length;
      }
      expect(approximate.graphContexts).toBe(1);
      expect(found / (5 * queries.length)).toBeGreaterThanOrEqual(0.95);
    });

    it('never returns an entry purged, replaced or evicted from a graph, and finds what is written after', async () => {
      const index = new MemoryVectorIndex({ now: clock.now, annMinEntries: 64, maxEntries: 300 });
      const vectors = clustered(500, 10, 9);
      for (const [i, vector] of vectors.slice(0, 300).entries()) {
        const namespace = i % 5 === 0 ? 'old' : 'support';
        await index.upsert(MODEL, anEntry(`e${i}`, { namespace, tags: [entryTag(`e${i}`), `t${i % 7}`] }), vector);
      }
      index.linkPending();
      await index.purge({ tenant: 'acme', namespace: 'old' });
      await index.purge({ tenant: 'acme', tags: ['t3'] });
      // A re-upsert replaces: the old vector must not be found under the id any more (and it is written last).
      await index.upsert(MODEL, anEntry('e1'), vectors[499]);
      const gone = new Set<string>();
      const writeOrder: string[] = [];
      for (let i = 2; i < 300; i++) {
        if (i % 5 === 0 || i % 7 === 3) gone.add(`e${i}`);
        else writeOrder.push(`e${i}`);
      }
      writeOrder.push('e1');
      // Writing 150 more into a full index evicts the oldest-written live entries.
      for (const [i, vector] of vectors.slice(300, 450).entries()) await index.upsert(MODEL, anEntry(`n${i}`), vector);
      index.linkPending();
      const evicted = writeOrder.slice(0, writeOrder.length + 150 - 300);
      for (const id of [...evicted, 'e0']) gone.add(id);

      expect(index.graphContexts).toBe(1);
      expect(index.evictions).toBe(evicted.length);
      expect(index.size).toBe(300);
      for (const [i, vector] of vectors.entries()) {
        const hits = await searchIn(index, vector);
        expect(hits).toHaveLength(5);
        for (const hit of hits) expect(gone.has(hit.entry.id)).toBe(false);
        if (i >= 300 && i < 450) expect(hits[0].entry.id).toBe(`n${i - 300}`);
        if (i === 1) expect(hits.some((hit) => hit.entry.id === 'e1')).toBe(false);
      }
    });

    it('serves the same once its graphs are renumbered, and purges, replaces and isolates by the new positions', async () => {
      const index = new MemoryVectorIndex({ now: clock.now, annMinEntries: 64 });
      index.graphReordering = false;
      const vectors = clustered(600, 12, 11);
      for (const [i, vector] of vectors.slice(0, 400).entries()) {
        await index.upsert(MODEL, anEntry(`e${i}`, { tags: [entryTag(`e${i}`), `t${i % 5}`] }), vector);
        await index.upsert(MODEL, anEntry(`g${i}`, { tenant: 'globex' }), vector);
      }
      index.linkPending();
      const answers = async (): Promise<string[]> =>
        Promise.all(
          vectors.map(async (vector) =>
            (await searchIn(index, vector)).map((hit) => `${hit.entry.id}:${hit.score}`).join(','),
          ),
        );
      const before = await answers();

      index.reorderGraphs();

      expect(await answers()).toEqual(before);
      await index.purge({ tenant: 'acme', tags: ['t2'] });
      await index.upsert(MODEL, anEntry('e1'), vectors[599]);
      for (const [i, vector] of vectors.slice(400, 500).entries()) await index.upsert(MODEL, anEntry(`n${i}`), vector);
      index.linkPending();
      index.reorderGraphs();
      for (const [i, vector] of vectors.entries()) {
        const hits = await searchIn(index, vector);
        for (const hit of hits) {
          expect(hit.entry.id.startsWith('g')).toBe(false);
          if (hit.entry.id.startsWith('e')) expect(Number(hit.entry.id.slice(1)) % 5).not.toBe(2);
        }
        if (i >= 400 && i < 500) expect(hits[0]?.entry.id).toBe(`n${i - 400}`);
        if (i === 1) expect(hits.some((hit) => hit.entry.id === 'e1')).toBe(false);
        if (i === 599) expect(hits[0]?.entry.id).toBe('e1');
        const theirs = await searchIn(index, vector, 'c', 'globex');
        expect(theirs.every((hit) => hit.entry.id.startsWith('g'))).toBe(true);
      }
      expect(index.size).toBe(400 + 400 - 80 + 100);
    });

    it('sweeps expired entries out of a graph, moving it back to a scan on the way', async () => {
      const index = new MemoryVectorIndex({ now: clock.now, annMinEntries: 40 });
      const vectors = clustered(100, 3, 7);
      for (const [i, vector] of vectors.entries()) {
        await index.upsert(MODEL, anEntry(`e${i}`, { expiresAt: clock.now() + (i < 95 ? 1_000 : 60_000) }), vector);
      }
      index.linkPending();
      clock.advance(1_000);

      expect(index.graphContexts).toBe(1);
      expect(index.sweepExpired()).toBe(95);
      expect(index.graphContexts).toBe(0);
      expect(index.size).toBe(5);
      await expect(index.count()).resolves.toBe(5);
      const found = await searchIn(index, vectors[97]);
      expect(found.map((hit) => hit.entry.id).sort()).toEqual(['e95', 'e96', 'e97', 'e98', 'e99']);
    });

    it('serves the same from graphs with or without the bounded re-rank, at floors on the scores served', async () => {
      const index = new MemoryVectorIndex({ now: clock.now, annMinEntries: 256 });
      const vectors = clustered(2_000, 40, 10);
      for (const [i, vector] of vectors.entries()) {
        const expiresAt = clock.now() + (i % 10 === 0 ? 1_000 : 60_000);
        await index.upsert(MODEL, anEntry(`e${i}`, { tenant: i % 2 === 0 ? 'acme' : 'other', expiresAt }), vector);
      }
      index.linkPending();
      clock.advance(1_000);
      const lookup = (vector: number[], minScore: number, bounded: boolean) => {
        index.boundedRerank = bounded;
        return index.search({
          vector,
          tenant: 'acme',
          contextHash: 'c',
          model: MODEL,
          limit: 5,
          minScore,
          now: clock.now(),
        });
      };

      for (const query of [...clustered(50, 40, 11), ...vectors.slice(0, 50)]) {
        const scores = (await lookup(query, -1, false)).map((hit) => hit.score);
        for (const minScore of [0.9, scores[0], scores[4], scores[4] + 1e-9]) {
          const expected = await lookup(query, minScore, false);
          const got = await lookup(query, minScore, true);
          expect(got.map((hit) => [hit.entry.id, hit.score])).toEqual(expected.map((hit) => [hit.entry.id, hit.score]));
          for (const hit of got) {
            expect(hit.entry.tenant).toBe('acme');
            expect(Number(hit.entry.id.slice(1)) % 10).not.toBe(0);
          }
        }
      }
      expect(index.graphContexts).toBe(2);
      expect(index.boundedRerank).toBe(true);
    });

    it('applies a new search width to existing graphs and refuses one below 1', async () => {
      const index = new MemoryVectorIndex({ now: clock.now, annMinEntries: 16, hnsw: { efSearch: 8 } });
      for (const [i, vector] of clustered(50, 2, 8).entries()) await index.upsert(MODEL, anEntry(`e${i}`), vector);

      index.efSearch = 32;

      expect(index.efSearch).toBe(32);
      await expect(searchIn(index, clustered(1, 2, 8)[0]).then((hits) => hits.length)).resolves.toBe(5);
      expect(() => (index.efSearch = 0)).toThrow(RangeError);
    });

    it('removes the expired entries a graph search came across, and never returns them', async () => {
      const index = new MemoryVectorIndex({ now: clock.now, annMinEntries: 16 });
      const vectors = clustered(100, 2, 6);
      for (const [i, vector] of vectors.entries()) {
        await index.upsert(
          MODEL,
          anEntry(`e${i}`, { expiresAt: clock.now() + (i % 2 === 0 ? 1_000 : 60_000) }),
          vector,
        );
      }
      index.linkPending();
      clock.advance(1_000);

      const ids = (await searchIn(index, vectors[0])).map((hit) => hit.entry.id);

      expect(ids).toHaveLength(5);
      expect(ids.every((id) => Number(id.slice(1)) % 2 === 1)).toBe(true);
      expect(index.size).toBeLessThan(100);
      await expect(index.count()).resolves.toBe(50);
    });
  });
});
